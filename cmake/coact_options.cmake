# Warnings and sanitizers for coact's own targets (not for consumers).
add_library(coact_options INTERFACE)
target_compile_options(coact_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wno-missing-field-initializers>
  $<$<BOOL:${COACT_WERROR}>:-Werror>
  # With link-time optimisation (the release preset), GCC's objects also keep machine
  # code, so a program that links the installed libraries without LTO still links.
  $<$<AND:$<BOOL:${CMAKE_INTERPROCEDURAL_OPTIMIZATION}>,$<CXX_COMPILER_ID:GNU>>:-ffat-lto-objects>)
# Asio decides between aligned_alloc and operator new per translation unit, from macros
# that depend on what was included before it; two units that decide differently free
# each other's awaitable frames with the wrong function (ASan: alloc-dealloc-mismatch).
# One choice for every unit: coact's own (and the precompiled header they share) and,
# through coact::runtime, a consumer's.
set(COACT_ASIO_DEFINITIONS ASIO_NO_DEPRECATED ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_compile_definitions(coact_options INTERFACE ${COACT_ASIO_DEFINITIONS})
# Third-party headers that nearly every file reaches through coact's own are precompiled:
# they are half of a file's compile time (asio alone 3 s of 6). See cmake/coact_pch.cmake.
option(COACT_PRECOMPILE_HEADERS "Precompile the third-party headers of coact's own targets" ON)
if(COACT_SANITIZE)
  target_compile_options(coact_options INTERFACE -fsanitize=${COACT_SANITIZE} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(coact_options INTERFACE -fsanitize=${COACT_SANITIZE})
endif()

# libFuzzer targets (net/fuzz, check/fuzz), clang only: the `fuzz` preset and scripts/fuzz.sh.
option(COACT_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
if(COACT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "COACT_FUZZ needs clang's libFuzzer: configure with "
      "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang (the `fuzz` preset does)")
  endif()
  # Coverage instrumentation in every coact library, so that libFuzzer is guided by the
  # branches of the code under test (the frame decoder, the history readers), not only by
  # those of the fuzzer.
  # -fno-sanitize=function: clang 14 cannot emit its checks for coroutines ("Cannot represent
  # a difference across sections", llvm-project issue 49689); the rest of UBSan stays on.
  target_compile_options(coact_options INTERFACE -fsanitize=fuzzer-no-link -fno-sanitize=function)
  target_link_options(coact_options INTERFACE -fsanitize=fuzzer-no-link)
  # Asio (1.22) enables co_await for clang only with the coroutines TS, which clang 14 with
  # libstdc++ and -std=c++20 does not define; the standard coroutines it has are enough.
  target_compile_definitions(coact_options INTERFACE ASIO_HAS_CO_AWAIT=1)
endif()

# coact_fuzzer(NAME SOURCE DEPS...): a libFuzzer executable of one source file that links
# DEPS. Only with COACT_FUZZ.
function(coact_fuzzer name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARGN} coact_options)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  # clang refuses a precompiled header built without -fsanitize=fuzzer.
  set_target_properties(${name} PROPERTIES DISABLE_PRECOMPILE_HEADERS ON)
endfunction()

# coact_library(NAME SRCS ... DEPS ... PUBLIC_DEPS ...): one layer, alias coact::NAME,
# headers under NAME/include so that "coact/NAME/x.hpp" works in the tree and installed.
# Everything under NAME/include (and the generated headers under the binary NAME/include)
# is installed; code private to a layer stays in NAME/src.
function(coact_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY COACT_HEADER_DIRS
    ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_BINARY_DIR}/include)
  if(ARG_SRCS)
    add_library(coact_${name} ${ARG_SRCS})
    target_include_directories(coact_${name} PUBLIC
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${CMAKE_CURRENT_BINARY_DIR}/include>
      $<INSTALL_INTERFACE:include>
      PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(coact_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS}
      $<BUILD_INTERFACE:coact_options>)
    # Public headers use coroutines and concepts: consumers must compile as C++20 too.
    target_compile_features(coact_${name} PUBLIC cxx_std_20)
  else()
    add_library(coact_${name} INTERFACE)
    target_include_directories(coact_${name} INTERFACE
      $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
    target_link_libraries(coact_${name} INTERFACE ${ARG_PUBLIC_DEPS})
    target_compile_features(coact_${name} INTERFACE cxx_std_20)
  endif()
  set_target_properties(coact_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME coact_${name})
  add_library(coact::${name} ALIAS coact_${name})
  set_property(GLOBAL APPEND PROPERTY COACT_LIBRARIES coact_${name})
endfunction()

# coact_policy(FAMILY SRCS ...): a consistency family under policies/FAMILY, built as
# coact::policy_FAMILY on the actors layer (and linked into coact::policies). Its protocol
# is include/coact/policies/FAMILY/FAMILY.capnp, which may import the actors layer's
# schemas ("/coact/actors/...").
function(coact_policy family)
  cmake_parse_arguments(ARG "" "" "SRCS" ${ARGN})
  set(CAPNPC_SRC_PREFIX ${CMAKE_CURRENT_SOURCE_DIR}/include)
  set(CAPNPC_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/include)
  set(CAPNPC_IMPORT_DIRS ${PROJECT_SOURCE_DIR}/actors/include)
  file(MAKE_DIRECTORY ${CAPNPC_OUTPUT_DIR})
  capnp_generate_cpp(protocol_srcs protocol_hdrs
    include/coact/policies/${family}/${family}.capnp)
  coact_library(policy_${family} SRCS ${ARG_SRCS} ${protocol_srcs} PUBLIC_DEPS coact::actors)
  target_link_libraries(coact_policies PUBLIC coact::policy_${family})
endfunction()
