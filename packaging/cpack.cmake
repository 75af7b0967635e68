# Debian package of the workbench and the CLI: `cpack -G DEB` in the build
# folder (tools/deb-check.sh installs it and runs both). Dependencies come
# from dpkg-shlibdeps over the binaries and the LibTorch module (the Qt
# platform and SVG plugins ship in libqt6gui6 and libqt6svg6, which the
# workbench links).
set(CPACK_PACKAGE_NAME snilab)
set(CPACK_PACKAGE_VENDOR "snilab")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Identify TLS and QUIC services from packet sizes and timings")
set(CPACK_PACKAGE_DESCRIPTION
    "A workbench (snilab) and a command line twin (snilab-cli) on one engine that\n\
measure how well the service behind an encrypted TLS or QUIC connection can be\n\
identified from packet sizes and timings alone: ingest captures into a catalog,\n\
evaluate random forests and CNN-GRU networks over thresholds and folds, export\n\
the figures and tables of a paper.")
set(CPACK_PACKAGE_CONTACT "snilab developers <snilab@example.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
