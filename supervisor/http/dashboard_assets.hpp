#pragma once

// The dashboard's files (supervisor/http/dashboard/), compiled into the
// binary at build time by cmake/embed_dashboard.cmake: the page works with
// no network and nothing installed beside the binary.

#include <string_view>

namespace supervise::http {

struct DashboardAsset {
  std::string_view path;  ///< where it is served: `/` for the page, `/dashboard.js`, ...
  std::string_view content_type;
  std::string_view body;
};

/// The file served at `path`; nullptr when there is none.
const DashboardAsset* dashboard_asset(std::string_view path);

}  // namespace supervise::http
