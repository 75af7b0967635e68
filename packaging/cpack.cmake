# Debian package of the CLI (and later the workbench): `cpack -G DEB` in the build folder.
set(CPACK_PACKAGE_NAME snilab)
set(CPACK_PACKAGE_VENDOR "snilab")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Identify TLS services from packet sizes and timings")
set(CPACK_PACKAGE_CONTACT "snilab developers")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_GENERATOR DEB)
include(CPack)
