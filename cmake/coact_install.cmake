include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(coact_libs GLOBAL PROPERTY COACT_LIBRARIES)
install(TARGETS ${coact_libs} EXPORT coact-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY runtime/include/ ${CMAKE_BINARY_DIR}/runtime/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h"
  PATTERN "*.capnp")
install(EXPORT coact-targets NAMESPACE coact:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/coact)
configure_package_config_file(cmake/coact-config.cmake.in
  ${CMAKE_BINARY_DIR}/coact-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/coact)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/coact-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/coact-config.cmake ${CMAKE_BINARY_DIR}/coact-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/coact)
