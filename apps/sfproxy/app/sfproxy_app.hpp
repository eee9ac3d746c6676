#pragma once
// SfproxyApp: the daemon as a Poco ServerApplication. Options are read in handleOption, the
// configuration is loaded in main() (so errors print plainly and exit with 78), everything
// is wired and started there, and SIGTERM / SIGINT stop it in order: no new connections,
// streams closed, PBX link stopped, pending work finished.

#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace sfproxy {

class SfproxyApp : public Poco::Util::ServerApplication {
 public:
  /// Poco reports a bad command line (unknown option, missing value) through the
  /// application's logger before main() runs; this formats it like every other error.
  SfproxyApp();

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  int serve();

  std::string m_config_path;
  bool m_help = false;
  bool m_version = false;
  bool m_check_only = false;
};

}  // namespace sfproxy
