# skillpipe_add_plugin(<name> KIND <harvester|miner|judge|consolidator|store|backend>
#                      SOURCES <src>... [LINK <targets>...] [NO_INSTALL] [ALLOW_UNDEFINED]
#                      [OUTPUT_DIR <dir>])
# Builds libskillpipe_<name>.so the way the host expects: a MODULE with hidden visibility,
# no undefined symbols, C++20 without GNU extensions, written to the plugin directory.
# This one file serves both our tree (included by the top-level CMakeLists.txt) and third
# parties (installed with the SDK and included by find_package(skillpipe)), so a plugin
# builds identically in both places.
#
# Output directory, first that applies: OUTPUT_DIR; SKILLPIPE_PLUGIN_OUTPUT_DIR (our tree
# sets it to build/lib/skillpipe/plugins, mirroring the install layout); otherwise
# ${CMAKE_BINARY_DIR}/plugins, one directory for every plugin of the project, which is what
# `skillpipe run --plugin-path` or a pipeline's `plugin_path:` points at.
# Installed to ${CMAKE_INSTALL_LIBDIR}/skillpipe/plugins, where skillpipe looks for plugins
# when it is installed under the same prefix.
function(skillpipe_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL;ALLOW_UNDEFINED" "KIND;OUTPUT_DIR" "SOURCES;LINK" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_KIND OR NOT ARG_SOURCES)
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): needs KIND and SOURCES; unparsed: '${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  set(_kinds harvester miner judge consolidator store backend)
  if(NOT ARG_KIND IN_LIST _kinds)
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): KIND '${ARG_KIND}' is not one of ${_kinds}")
  endif()
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): a plugin name is lower-case letters, digits and '_', "
                        "starting with a letter (it becomes libskillpipe_<name>.so and a YAML `plugin:` value)")
  endif()
  if(NOT TARGET skillpipe::sdk)
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): target skillpipe::sdk not found; call "
                        "find_package(skillpipe REQUIRED) first")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  # The contract (skillpipe::sdk) and the kit of helpers built on it (skillpipe::kit).
  target_link_libraries(${name} PRIVATE skillpipe::sdk skillpipe::kit ${ARG_LINK})
  target_compile_definitions(${name} PRIVATE SKILLPIPE_PLUGIN_NAME="${name}")
  if(ARG_OUTPUT_DIR)
    set(_out ${ARG_OUTPUT_DIR})
  elseif(DEFINED SKILLPIPE_PLUGIN_OUTPUT_DIR)
    set(_out ${SKILLPIPE_PLUGIN_OUTPUT_DIR})
  else()
    set(_out ${CMAKE_BINARY_DIR}/plugins)
  endif()
  # The build tag the host checks records the C++ standard; pin it so a consumer project's
  # CMAKE_CXX_STANDARD cannot silently produce a plugin the host refuses.
  set_target_properties(${name} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "skillpipe_${name}" SUFFIX ".so"
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${_out})
  if(NOT ARG_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/skillpipe/plugins)
  endif()
  if(NOT ARG_ALLOW_UNDEFINED)
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
  # Real plugins (not test fixtures with their own OUTPUT_DIR) are listed so that the
  # conformance suite can depend on all of them.
  if(NOT ARG_OUTPUT_DIR)
    set_property(GLOBAL APPEND PROPERTY SKILLPIPE_PLUGIN_TARGETS ${name})
  endif()
endfunction()

# skillpipe_add_conformance_test(<plugin> SOURCES <test.cpp>... [LINK <targets>...])
# Builds the GoogleTest executable <plugin>_conformance from SOURCES (which use
# skillpipe/testing/conformance.hpp) and registers it with CTest. The sources see
#   SKILLPIPE_PLUGIN_FILE        the plugin's .so ($<TARGET_FILE:plugin>)
#   SKILLPIPE_PLUGIN_SOURCE_DIR  the folder that called this (for test data)
# Call enable_testing() in your top-level CMakeLists.txt. Inside the skillpipe tree this
# does nothing: tests/conformance runs the same harness on every plugin there.
function(skillpipe_add_conformance_test plugin)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_SOURCES)
    message(FATAL_ERROR "skillpipe_add_conformance_test(${plugin}): needs SOURCES; unparsed: '${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT TARGET ${plugin})
    message(FATAL_ERROR "skillpipe_add_conformance_test(${plugin}): no target '${plugin}'; call skillpipe_add_plugin first")
  endif()
  get_target_property(_sdk_imported skillpipe::sdk IMPORTED)
  if(NOT _sdk_imported)
    return()
  endif()
  if(NOT TARGET GTest::gtest_main)
    find_package(GTest REQUIRED)
  endif()
  add_executable(${plugin}_conformance ${ARG_SOURCES})
  target_link_libraries(${plugin}_conformance PRIVATE skillpipe::sdk skillpipe::kit GTest::gtest GTest::gtest_main
                                                      ${CMAKE_DL_LIBS} ${ARG_LINK})
  target_compile_definitions(${plugin}_conformance PRIVATE
    SKILLPIPE_PLUGIN_FILE="$<TARGET_FILE:${plugin}>"
    SKILLPIPE_PLUGIN_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
  set_target_properties(${plugin}_conformance PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  add_dependencies(${plugin}_conformance ${plugin})
  add_test(NAME ${plugin}_conformance COMMAND ${plugin}_conformance)
endfunction()
