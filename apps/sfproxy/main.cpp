// sfproxy: the PBX-side proxy between the phone system, Salesforce and agents' browsers.
#include "app/sfproxy_app.hpp"

#include <Poco/Exception.h>

#include <iostream>

int main(int argc, char** argv) {
  try {
    sfproxy::SfproxyApp app;
    return app.run(argc, argv);
  } catch (const Poco::Exception& error) {  // unknown or malformed options
    std::cerr << "sfproxy: error: " << error.displayText() << " (see sfproxy --help)\n";
    return Poco::Util::Application::EXIT_USAGE;
  }
}
