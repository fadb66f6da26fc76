// scripted_model_server - the scripted model server as a program, for shell scripts such as
// scripts/record_cli_fixtures.sh:
//
//   scripted_model_server [--port N] [--script FILE] [--log FILE] [--id-prefix P] [--port-file F]
//   scripted_model_server --check FILE
//
// Binds 127.0.0.1 (port 0 = any free port), prints the bound port on the first line of
// stdout, and serves until SIGINT or SIGTERM. Without --script it is the built-in skill
// agent with default options. --check parses a script, prints its rule count and exits.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "model_server.hpp"
#include "script.hpp"

namespace ms = skillpipe::model_server;

namespace {

int usage_error(const std::string& msg) {
  std::cerr << "scripted_model_server: " << msg << "\n"
            << "usage: scripted_model_server [--port N] [--script FILE] [--log FILE] [--id-prefix P] [--port-file F]\n"
            << "       scripted_model_server --check FILE\n";
  return 2;
}

struct Args {
  int port = 0;
  std::string script, log, id_prefix, port_file, check;
};

bool parse(int argc, char** argv, Args& a, std::string& err) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) {
      err = "option " + k + " needs a value";
      return false;
    }
    std::string v = argv[++i];
    if (k == "--port") {
      try {
        a.port = std::stoi(v);
      } catch (const std::exception&) {
        err = "--port expects a number, got '" + v + "'";
        return false;
      }
    } else if (k == "--script") {
      a.script = v;
    } else if (k == "--log") {
      a.log = v;
    } else if (k == "--id-prefix") {
      a.id_prefix = v;
    } else if (k == "--port-file") {
      a.port_file = v;
    } else if (k == "--check") {
      a.check = v;
    } else {
      err = "unknown option " + k;
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::string err;
  if (!parse(argc, argv, a, err)) return usage_error(err);
  try {
    if (!a.check.empty()) {
      auto p = ms::ScriptPolicy::load(a.check);
      std::cout << a.check << ": ok, " << p->rule_count() << " rules\n";
      return 0;
    }
    // Block the stop signals before the server's threads start so only sigwait sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    ms::PolicyPtr policy;
    ms::ServerOptions opts;
    opts.port = a.port;
    opts.log_path = a.log;
    if (!a.script.empty()) {
      auto script = ms::ScriptPolicy::load(a.script);
      if (!script->id_prefix().empty()) opts.id_prefix = script->id_prefix();
      policy = script;
    } else {
      policy = std::make_shared<ms::SkillAgentPolicy>();
    }
    if (!a.id_prefix.empty()) opts.id_prefix = a.id_prefix;
    ms::ModelServer server(policy, opts);
    std::cout << server.port() << std::endl;
    if (!a.port_file.empty()) {
      // written then renamed, so a script polling for the file never reads it half-written
      std::string tmp = a.port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n";
      std::rename(tmp.c_str(), a.port_file.c_str());
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "scripted_model_server: " << e.what() << "\n";
    return 1;
  }
}
