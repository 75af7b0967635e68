# What `cmake --install` and `cpack -G DEB` ship besides the binaries (their
# install() rules sit with the targets): man pages generated from --help
# (tools/make_man.py, so they never drift from the programs), and for the
# workbench the desktop entry, AppStream metainfo and icons (packaging/desktop).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
include(GNUInstallDirs)

set(SNILAB_MAN_DIR ${PROJECT_BINARY_DIR}/man)
set(SNILAB_MAN_PAGES)
# snilab_man_page(TARGET NAME SUMMARY [ARGS...]): NAME.1.gz from TARGET --help.
function(snilab_man_page target name summary)
  set(page ${SNILAB_MAN_DIR}/${name}.1)
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${SNILAB_MAN_DIR}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/make_man.py
            --program $<TARGET_FILE:${target}> --name ${name} --summary ${summary}
            --version ${PROJECT_VERSION} ${ARGN} --out ${page}
    COMMAND gzip -9 -n -f ${page}
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/tools/make_man.py
    COMMENT "man page ${name}(1) from ${name} --help"
    VERBATIM)
  set(SNILAB_MAN_PAGES ${SNILAB_MAN_PAGES} ${page}.gz PARENT_SCOPE)
endfunction()

snilab_man_page(snilab-cli snilab-cli
  "measure how well TLS and QUIC services can be identified from packet sizes and timings"
  --commands --see-also snilab)
if(SNILAB_BUILD_UI)
  snilab_man_page(snilab snilab
    "workbench: identify TLS and QUIC services from packet sizes and timings"
    --see-also snilab-cli)
endif()
add_custom_target(snilab_man_pages ALL DEPENDS ${SNILAB_MAN_PAGES})
install(FILES ${SNILAB_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The README and docs/ as the installed documentation (share/doc/snilab).
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(SNILAB_BUILD_UI)
  set(desktop ${PROJECT_SOURCE_DIR}/packaging/desktop)
  set(app_id io.github.snilab.snilab)
  install(FILES ${desktop}/${app_id}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${desktop}/${app_id}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${desktop}/${app_id}.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  foreach(size 16 32 48 64 128 256)
    install(FILES ${desktop}/icons/${app_id}-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
            RENAME ${app_id}.png)
  endforeach()
endif()
