#include "static_files.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace sfproxy::http {
namespace {

constexpr std::size_t k_max_total_bytes = 8 * 1024 * 1024;

std::string content_type_for(const std::string& extension) {
  static const std::map<std::string, std::string, std::less<>> k_types = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".ico", "image/x-icon"},                {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto it = k_types.find(extension);
  return it == k_types.end() ? std::string() : it->second;
}

}  // namespace

cti::Result<StaticFiles> StaticFiles::load(const std::string& root) {
  StaticFiles files;
  if (root.empty()) {
    return files;
  }
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    return cti::fail(cti::ErrorCode::invalid_input, "web root '" + root + "' is not a directory");
  }
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error)) {
      continue;
    }
    const std::string type = content_type_for(it->path().extension().string());
    if (type.empty()) {
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return cti::fail(cti::ErrorCode::invalid_input, "cannot read '" + it->path().string() + "'");
    }
    StaticFile file{type, body.str(), {}};
    total += file.body.size();
    if (total > k_max_total_bytes) {
      return cti::fail(cti::ErrorCode::invalid_input, "web root '" + root + "' holds more than 8 MiB");
    }
    file.etag = "\"" + std::to_string(std::hash<std::string>{}(file.body)) + "\"";
    const std::string path = "/" + fs::relative(it->path(), root).generic_string();
    files.m_files.emplace(path, std::move(file));
  }
  if (error) {
    return cti::fail(cti::ErrorCode::invalid_input, "cannot list web root '" + root + "': " + error.message());
  }
  return files;
}

const StaticFile* StaticFiles::find(std::string_view path) const {
  if (path == "/") {
    path = "/index.html";
  }
  auto it = m_files.find(path);
  return it == m_files.end() ? nullptr : &it->second;
}

}  // namespace sfproxy::http
