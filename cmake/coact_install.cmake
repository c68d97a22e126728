# Installs every coact library and a package so that another project can
# find_package(coact) and link coact::runtime (and the other layers).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(coact_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/coact)

get_property(coact_libs GLOBAL PROPERTY COACT_LIBRARIES)
install(TARGETS ${coact_libs} EXPORT coact-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Source include/ folders, with the .capnp schemas (a consumer's schema may import them),
# and the generated ones (system.capnp.h...). A layer without sources or schemas has no
# generated folder yet: OPTIONAL skips it.
get_property(coact_header_dirs GLOBAL PROPERTY COACT_HEADER_DIRS)
foreach(dir IN LISTS coact_header_dirs)
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} OPTIONAL
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h" PATTERN "*.capnp")
endforeach()

install(EXPORT coact-targets NAMESPACE coact:: DESTINATION ${coact_config_dir})
# PROJECT_BINARY_DIR, not CMAKE_BINARY_DIR: coact may be a subdirectory of another project.
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/coact-config.cmake.in
  ${PROJECT_BINARY_DIR}/coact-config.cmake INSTALL_DESTINATION ${coact_config_dir}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/coact-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/coact-config.cmake
  ${PROJECT_BINARY_DIR}/coact-config-version.cmake DESTINATION ${coact_config_dir})
