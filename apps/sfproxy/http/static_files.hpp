#pragma once
// StaticFiles: the softphone page and its scripts, read once at start-up and served from
// memory. Only files under the web root, with known types, are served.

#include "cti/result.hpp"

#include <map>
#include <string>
#include <string_view>

namespace sfproxy::http {

struct StaticFile {
  std::string content_type;
  std::string body;
  std::string etag;
};

class StaticFiles {
 public:
  /// Loads every regular file under `root` with a known extension (html, js, mjs, css,
  /// svg, png, ico, json, txt); at most 8 MiB in all. An empty root serves nothing.
  static cti::Result<StaticFiles> load(const std::string& root);

  /// The file for a request path ("/" is "/index.html"), or nullptr.
  const StaticFile* find(std::string_view path) const;
  std::size_t size() const { return m_files.size(); }

 private:
  std::map<std::string, StaticFile, std::less<>> m_files;
};

}  // namespace sfproxy::http
