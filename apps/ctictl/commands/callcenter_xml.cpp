// ctictl callcenter-xml: writes the Salesforce call-centre definition (the file an admin
// imports in Setup > Call Centers > Import) from the same configuration file sfproxy runs
// with, so the adapter URL and the dialing prefixes cannot disagree with the daemon.

#include "command.hpp"

#include "args.hpp"
#include "sfproxy_config.hpp"

#include <cassert>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

namespace ctictl {
namespace {

const std::vector<OptionSpec> k_options = {
    {"config", "FILE", "the sfproxy configuration (required)"},
    {"out", "FILE", "write the XML here instead of standard output"},
    {"internal-name", "NAME", "reqInternalName, overriding callcenter.internal_name"},
    {"display-name", "TEXT", "reqDisplayName, overriding callcenter.display_name"},
};

constexpr std::string_view k_usage =
    "callcenter-xml --config FILE [--out FILE] [--internal-name NAME] [--display-name TEXT]";

constexpr std::string_view k_summary =
    "Writes the call-centre definition to import into Salesforce (Setup > Call Centers >\n"
    "Import). The CTI adapter URL is https://<server.public_host>:<listen port>/ unless\n"
    "callcenter.adapter_url says otherwise; the dialing prefixes come from the dialing:\n"
    "section; names, softphone size and the standby URL from callcenter:. Exit status 2\n"
    "when the configuration, a name, a URL or a size would not make a valid call centre.";

/// Text for XML content and attribute values. The values were validated first, so no
/// character that XML 1.0 forbids can reach here; escaping quotes too keeps one function
/// right for both places.
std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Item {
  std::string_view name;
  std::string_view label;
  std::string value;
};

void write_section(std::ostream& out, int order, std::string_view name, std::string_view label,
                   const std::vector<Item>& items) {
  out << "  <section sortOrder=\"" << order << "\" name=\"" << xml_escape(name) << "\" label=\""
      << xml_escape(label) << "\">\n";
  int item_order = 0;
  for (const auto& item : items) {
    out << "    <item sortOrder=\"" << item_order++ << "\" name=\"" << xml_escape(item.name)
        << "\" label=\"" << xml_escape(item.label) << "\">" << xml_escape(item.value) << "</item>\n";
  }
  out << "  </section>\n";
}

/// https://<public_host>[:port]/ : the softphone is index.html at the root of web_root.
cti::Result<std::string> derived_adapter_url(const sfproxy::SfproxyConfig& config) {
  const std::string& host = config.public_host;
  if (host.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     config.path + ": server.public_host is required for the CTI adapter URL "
                                   "(the name on the proxy's certificate), or set "
                                   "callcenter.adapter_url");
  }
  if (config.server.port == 0) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     config.path + ": server.listen has port 0 (any free port); the adapter URL "
                                   "needs a fixed port, or set callcenter.adapter_url");
  }
  const bool tls = config.server.tls_enabled;
  const bool default_port = config.server.port == (tls ? 443 : 80);
  // A bare IPv6 address needs brackets in a URL.
  const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  std::string url = tls ? "https://" : "http://";
  url += ipv6 ? "[" + host + "]" : host;
  if (!default_port) {
    url += ":" + std::to_string(config.server.port);
  }
  return url + "/";
}

struct Definition {
  std::string xml;
  std::vector<std::string> warnings;
};

cti::Result<Definition> build_definition(const sfproxy::SfproxyConfig& config,
                                         const std::string& internal_name,
                                         const std::string& display_name) {
  if (auto valid = sfproxy::validate_call_center_internal_name(internal_name); !valid) {
    return cti::fail(valid.error().code, "internal name '" + internal_name + "' " + valid.error().message);
  }
  if (auto valid = sfproxy::validate_call_center_display_name(display_name); !valid) {
    return cti::fail(valid.error().code, "display name " + valid.error().message);
  }
  const sfproxy::CallCenterConfig& call_center = config.call_center;
  const bool plain = !config.server.tls_enabled;
  std::string adapter_url = call_center.adapter_url;
  if (adapter_url.empty()) {
    adapter_url = CTI_TRY(derived_adapter_url(config));
  }
  // The loader checked configured URLs; the derived one (public_host) is checked here.
  if (auto valid = sfproxy::validate_call_center_url(adapter_url, plain); !valid) {
    return cti::fail(valid.error().code, "CTI adapter URL '" + adapter_url + "' " + valid.error().message);
  }
  Definition definition;
  for (const auto& [what, url] : {std::pair{"CTI adapter URL", adapter_url},
                                  std::pair{"standby URL", call_center.standby_url}}) {
    if (url.starts_with("http://")) {
      definition.warnings.push_back(std::string(what) + " " + url +
                                    " is plain http (development_plain_http): Lightning will not "
                                    "frame it; use it for development only");
    }
  }
  // The loader holds the prefixes to 0-4 digits (cti::validate of the dialing options) and
  // the sizes to the panel limits; assert that contract rather than check it twice.
  const auto& dialing = config.proxy.site_match.dialing;
  assert(call_center.softphone_height >= sfproxy::k_softphone_min_height &&
         call_center.softphone_height <= sfproxy::k_softphone_max_height);
  assert(call_center.softphone_width >= sfproxy::k_softphone_min_width &&
         call_center.softphone_width <= sfproxy::k_softphone_max_width);

  // Names and the sortOrder of the first two items are fixed by Salesforce; labels are what
  // Setup shows.
  std::vector<Item> general = {
      {"reqInternalName", "InternalName", internal_name},
      {"reqDisplayName", "Display Name", display_name},
      {"reqAdapterUrl", "CTI Adapter URL", adapter_url},
      {"reqUseApi", "Use CTI API", "true"},
      {"reqSoftphoneHeight", "Softphone Height", std::to_string(call_center.softphone_height)},
      {"reqSoftphoneWidth", "Softphone Width", std::to_string(call_center.softphone_width)},
      {"reqSalesforceCompatibilityMode", "Salesforce Compatibility Mode", "Classic_and_Lightning"},
  };
  if (!call_center.standby_url.empty()) {
    general.push_back({"reqStandbyUrl", "Standby URL", call_center.standby_url});
    general.push_back({"reqTimeout", "Timeout", std::to_string(call_center.standby_timeout.count())});
  }
  const std::vector<Item> dialing_items = {
      {"reqOutsidePrefix", "Outside Prefix", dialing.outside_prefix},
      {"reqLongDistPrefix", "Long Distance Prefix", dialing.long_distance_prefix},
      {"reqInternationalPrefix", "International Prefix", dialing.international_prefix},
  };

  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!-- Written by ctictl callcenter-xml. Import it in Salesforce Setup: Call Centers, Import. -->\n"
         "<callCenter>\n";
  write_section(out, 0, "reqGeneralInfo", "General Information", general);
  write_section(out, 1, "reqDialingOptions", "Dialing Options", dialing_items);
  out << "</callCenter>\n";
  definition.xml = out.str();
  return definition;
}

/// Writes beside the target and renames, so a failed run never leaves half a file.
cti::Result<void> write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.flush();
    if (!file) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return cti::fail(cti::ErrorCode::unavailable, "cannot write " + path);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return cti::fail(cti::ErrorCode::unavailable, "cannot write " + path);
  }
  return {};
}

}  // namespace

int run_callcenter_xml(const std::vector<std::string>& argv, Io& io) {
  Args args;
  int exit_code = exit_ok;
  if (!begin_command(argv, k_options, k_usage, k_summary, io, args, exit_code)) {
    return exit_code;
  }
  const std::optional<std::string> config_path = args.value("config");
  if (!config_path) {
    return report_error(io, "--config FILE is required (the sfproxy configuration)", exit_usage);
  }
  auto config = sfproxy::load_config(*config_path);
  if (!config) {
    return report_error(io, config.error().message, exit_usage);
  }
  const std::string internal_name = args.value_or("internal-name", config->call_center.internal_name);
  const std::string display_name = args.value_or("display-name", config->call_center.display_name);
  auto definition = build_definition(*config, internal_name, display_name);
  if (!definition) {
    return report_error(io, definition.error().message, exit_usage);
  }
  for (const auto& warning : definition->warnings) {
    io.err << "ctictl: warning: " << warning << "\n";
  }
  if (const auto out_path = args.value("out")) {
    if (auto written = write_file(*out_path, definition->xml); !written) {
      return report_error(io, written.error().message, exit_failure);
    }
    return exit_ok;
  }
  io.out << definition->xml;
  return exit_ok;
}

}  // namespace ctictl
