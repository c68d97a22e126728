# One precompiled header for all of coact's targets, one more for its test suites. A
# precompiled header per target (what an INTERFACE one on coact_options gives) cost 37
# compilations of 20 s each per build; every target compiles with the same flags, so they
# can share. GCC checks that a shared header fits (-Winvalid-pch, an error with -Werror).

# Third-party headers only: coact's own change with every commit.
set(COACT_PCH_HEADERS
  <algorithm> <chrono> <coroutine> <functional> <map> <memory> <optional> <span> <string>
  <system_error> <unordered_map> <vector>
  <asio/io_context.hpp> <asio/executor_work_guard.hpp> <asio/post.hpp> <asio/steady_timer.hpp>
  <boost/outcome/std_result.hpp> <boost/outcome/try.hpp>
  <capnp/any.h> <capnp/generated-header-support.h> <capnp/message.h> <capnp/serialize.h>
  <kj/exception.h>)

# coact_share_precompiled_headers(): call last. Every target under the project that links
# coact_options reuses coact_pch, or coact_test_pch if it links the test runner, unless it
# sets DISABLE_PRECOMPILE_HEADERS (the fuzzers, compiled with other flags).
function(coact_share_precompiled_headers)
  if(NOT COACT_PRECOMPILE_HEADERS)
    return()
  endif()
  set(pch_source ${PROJECT_BINARY_DIR}/coact_pch.cpp)
  file(CONFIGURE OUTPUT ${pch_source} CONTENT "// Compiles the shared precompiled header.\n")
  add_library(coact_pch OBJECT ${pch_source})
  target_link_libraries(coact_pch PRIVATE CapnProto::capnp Threads::Threads coact_options)
  target_compile_features(coact_pch PRIVATE cxx_std_20)
  target_precompile_headers(coact_pch PRIVATE ${COACT_PCH_HEADERS})
  if(TARGET coact_test_main)
    add_library(coact_test_pch OBJECT ${pch_source})
    target_link_libraries(coact_test_pch PRIVATE CapnProto::capnp Threads::Threads coact_test_main
      coact_options)
    target_compile_features(coact_test_pch PRIVATE cxx_std_20)
    target_precompile_headers(coact_test_pch PRIVATE ${COACT_PCH_HEADERS} <catch2/catch.hpp>)
  endif()
  coact_targets_in(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    # The runner defines CATCH_CONFIG_MAIN before including Catch: a header with Catch
    # already in it would leave it without main().
    if(type STREQUAL "INTERFACE_LIBRARY" OR target MATCHES "^coact_(test_)?pch$"
       OR target STREQUAL "coact_test_main")
      continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    get_target_property(disabled ${target} DISABLE_PRECOMPILE_HEADERS)
    if(NOT links MATCHES "coact_options" OR disabled)
      continue()
    endif()
    if(links MATCHES "coact_test_main")
      set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM coact_test_pch)
    else()
      set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM coact_pch)
    endif()
  endforeach()
endfunction()

# coact_targets_in(DIR OUT): the build targets defined in DIR and the folders below it.
function(coact_targets_in dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    coact_targets_in(${subdir} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()
