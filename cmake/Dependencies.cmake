# The only place dependencies are found. Everything comes from Debian packages
# (scripts/setup.sh installs them); nothing is downloaded at configure time.

find_package(fmt REQUIRED)

if(CTI_BUILD_APPS)
  find_package(Poco REQUIRED COMPONENTS Foundation Util Net NetSSL Crypto JSON XML Data DataSQLite)
  find_package(yaml-cpp REQUIRED)
  # yaml-cpp 0.7 exports a plain `yaml-cpp` target; give it the namespaced name.
  if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
    add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
  endif()
  find_package(OpenSSL REQUIRED)
  # libsodium (Argon2id password hashes, session tokens) ships a pkg-config file, no CMake package.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
  if(NOT TARGET sodium::sodium)
    add_library(sodium::sodium ALIAS PkgConfig::sodium)
  endif()
endif()

if(CTI_BUILD_TESTS)
  find_package(doctest REQUIRED)
  include(doctest)  # doctest_discover_tests
endif()
