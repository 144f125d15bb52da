// Which request gets what, without a socket.

#include "supervisor/http/routes.hpp"

#include <gtest/gtest.h>

namespace supervise::http {
namespace {

Endpoints fake_endpoints() {
  return {[] { return std::string("# HELP m h\n# TYPE m gauge\nm 1\n"); },
          [] { return std::string(R"({"schema":1})"); }};
}

TEST(Routes, MetricsAreTheExpositionWithItsContentType) {
  const auto route = http::route("GET", "/metrics", "", fake_endpoints());
  EXPECT_FALSE(route.event_stream);
  EXPECT_EQ(route.response.status, 200u);
  EXPECT_EQ(route.response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(route.response.body, "# HELP m h\n# TYPE m gauge\nm 1\n");
}

TEST(Routes, StatusIsJson) {
  const auto route = http::route("GET", "/api/v1/status", "", fake_endpoints());
  EXPECT_EQ(route.response.status, 200u);
  EXPECT_EQ(route.response.content_type, "application/json");
  EXPECT_EQ(route.response.body, "{\"schema\":1}\n");
}

TEST(Routes, OtherMethodsAreRefusedWithAllow) {
  for (const std::string_view method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    const auto route = http::route(method, "/metrics", "", fake_endpoints());
    EXPECT_EQ(route.response.status, 405u) << method;
    ASSERT_EQ(route.response.headers.size(), 1u);
    EXPECT_EQ(route.response.headers[0].first, "Allow");
  }
  EXPECT_EQ(http::route("HEAD", "/metrics", "", fake_endpoints()).response.status, 200u);
}

TEST(Routes, UnknownPathsAreNotFoundWhateverTheMethod) {
  EXPECT_EQ(http::route("GET", "/", "", fake_endpoints()).response.status, 404u);
  EXPECT_EQ(http::route("POST", "/admin", "", fake_endpoints()).response.status, 404u);
  EXPECT_EQ(http::route("GET", "/metricsx", "", fake_endpoints()).response.status, 404u);
}

TEST(Routes, EventsStreamFromNowOrAfterAnId) {
  const auto now = http::route("GET", "/api/v1/events", "", fake_endpoints());
  EXPECT_TRUE(now.event_stream);
  EXPECT_EQ(now.events_after, std::nullopt);
  const auto since = http::route("GET", "/api/v1/events?since=42", "", fake_endpoints());
  EXPECT_TRUE(since.event_stream);
  EXPECT_EQ(since.events_after, 42u);
  const auto zero = http::route("GET", "/api/v1/events?x=1&since=0", "", fake_endpoints());
  EXPECT_EQ(zero.events_after, 0u);
  const auto resumed = http::route("GET", "/api/v1/events", "17", fake_endpoints());
  EXPECT_EQ(resumed.events_after, 17u) << "Last-Event-ID of a reconnecting EventSource";
}

TEST(Routes, ABadSinceIsABadRequest) {
  for (const std::string_view target :
       {"/api/v1/events?since=", "/api/v1/events?since=abc", "/api/v1/events?since=-1"}) {
    const auto route = http::route("GET", target, "", fake_endpoints());
    EXPECT_FALSE(route.event_stream) << target;
    EXPECT_EQ(route.response.status, 400u) << target;
  }
}

}  // namespace
}  // namespace supervise::http
