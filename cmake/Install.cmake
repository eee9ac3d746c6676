# Installs libcti and libsfmatch with their public headers and a CMake package so
# that other programs can write find_package(cti) and link cti::core / cti::sfmatch.
include(CMakePackageConfigHelpers)

set(CTI_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/cti")

install(TARGETS cti_core cti_sfmatch
  EXPORT ctiTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY libcti/include/ libsfmatch/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ctiTargets
  NAMESPACE cti::
  DESTINATION ${CTI_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/ctiConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/ctiConfig.cmake"
  INSTALL_DESTINATION ${CTI_INSTALL_CMAKEDIR})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/ctiConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/ctiConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/ctiConfigVersion.cmake"
  DESTINATION ${CTI_INSTALL_CMAKEDIR})
