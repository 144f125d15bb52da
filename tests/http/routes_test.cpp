// Which request gets what, without a socket.

#include "supervisor/http/routes.hpp"

#include <gtest/gtest.h>

#include "supervisor/http/dashboard_assets.hpp"
#include "supervisor/journal/journal.hpp"

namespace supervise::http {
namespace {

constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";

Endpoints fake_endpoints() {
  Endpoints endpoints;
  endpoints.metrics = [] { return std::string("# HELP m h\n# TYPE m gauge\nm 1\n"); };
  endpoints.status_json = [] { return std::string(R"({"schema":1})"); };
  endpoints.control = [](const nlohmann::json&, std::function<void(nlohmann::json)>) {};
  endpoints.control_token = std::string(kToken);
  return endpoints;
}

Route route_of(std::string_view method, std::string_view target, std::string_view last_event_id,
               const Endpoints& endpoints, std::string_view authorization = "") {
  return http::route({method, target, last_event_id, authorization}, endpoints);
}

std::string bearer() {
  return "Bearer " + std::string(kToken);
}

std::string header(const Response& response, std::string_view name) {
  for (const auto& [field, value] : response.headers) {
    if (field == name) {
      return value;
    }
  }
  return "";
}

TEST(Routes, MetricsAreTheExpositionWithItsContentType) {
  const auto route = route_of("GET", "/metrics", "", fake_endpoints());
  EXPECT_FALSE(route.event_stream);
  EXPECT_EQ(route.response.status, 200u);
  EXPECT_EQ(route.response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(route.response.body, "# HELP m h\n# TYPE m gauge\nm 1\n");
}

TEST(Routes, StatusIsJson) {
  const auto route = route_of("GET", "/api/v1/status", "", fake_endpoints());
  EXPECT_EQ(route.response.status, 200u);
  EXPECT_EQ(route.response.content_type, "application/json");
  EXPECT_EQ(route.response.body, "{\"schema\":1}\n");
}

TEST(Routes, OtherMethodsAreRefusedWithAllow) {
  for (const std::string_view method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    const auto route = route_of(method, "/metrics", "", fake_endpoints());
    EXPECT_EQ(route.response.status, 405u) << method;
    ASSERT_EQ(route.response.headers.size(), 1u);
    EXPECT_EQ(route.response.headers[0].first, "Allow");
  }
  EXPECT_EQ(route_of("HEAD", "/metrics", "", fake_endpoints()).response.status, 200u);
}

TEST(Routes, UnknownPathsAreNotFoundWhateverTheMethod) {
  EXPECT_EQ(route_of("GET", "/index.html", "", fake_endpoints()).response.status, 404u);
  EXPECT_EQ(route_of("POST", "/admin", "", fake_endpoints()).response.status, 404u);
  EXPECT_EQ(route_of("GET", "/metricsx", "", fake_endpoints()).response.status, 404u);
}

TEST(Routes, EventsStreamFromNowOrAfterAnId) {
  const auto now = route_of("GET", "/api/v1/events", "", fake_endpoints());
  EXPECT_TRUE(now.event_stream);
  EXPECT_EQ(now.events_after, std::nullopt);
  const auto since = route_of("GET", "/api/v1/events?since=42", "", fake_endpoints());
  EXPECT_TRUE(since.event_stream);
  EXPECT_EQ(since.events_after, 42u);
  const auto zero = route_of("GET", "/api/v1/events?x=1&since=0", "", fake_endpoints());
  EXPECT_EQ(zero.events_after, 0u);
  const auto resumed = route_of("GET", "/api/v1/events", "17", fake_endpoints());
  EXPECT_EQ(resumed.events_after, 17u) << "Last-Event-ID of a reconnecting EventSource";
  const auto reopened = route_of("GET", "/api/v1/events?since=0", "17", fake_endpoints());
  EXPECT_EQ(reopened.events_after, 17u) << "the id it saw last is newer than its URL's";
}

TEST(Routes, ABadSinceIsABadRequest) {
  for (const std::string_view target :
       {"/api/v1/events?since=", "/api/v1/events?since=abc", "/api/v1/events?since=-1"}) {
    const auto route = route_of("GET", target, "", fake_endpoints());
    EXPECT_FALSE(route.event_stream) << target;
    EXPECT_EQ(route.response.status, 400u) << target;
  }
}

TEST(Routes, TheDashboardIsServedFromTheBinaryWithAStrictPolicy) {
  for (const std::string_view path : {"/", "/dashboard.js", "/dashboard.css"}) {
    const auto route = http::route({"GET", path, "", ""}, fake_endpoints());
    EXPECT_EQ(route.response.status, 200u) << path;
    EXPECT_FALSE(route.response.body.empty()) << path;
    EXPECT_EQ(route.response.body, dashboard_asset(path)->body) << path;
    EXPECT_NE(header(route.response, "Content-Security-Policy").find("script-src 'self'"),
              std::string::npos)
        << path;
    EXPECT_EQ(header(route.response, "Referrer-Policy"), "no-referrer") << path;
  }
  EXPECT_EQ(http::route({"GET", "/?token=abc", "", ""}, fake_endpoints()).response.content_type,
            "text/html; charset=utf-8");
  EXPECT_EQ(http::route({"GET", "/dashboard.js", "", ""}, fake_endpoints()).response.content_type,
            "text/javascript; charset=utf-8");
  const auto post = http::route({"POST", "/", "", bearer()}, fake_endpoints());
  EXPECT_EQ(post.response.status, 405u);
  EXPECT_EQ(header(post.response, "Allow"), "GET, HEAD");
}

TEST(Routes, TheDashboardKeepsTheDataContractOfItsChildren) {
  const std::string page(dashboard_asset("/")->body);
  for (const std::string_view attribute :
       {"data-child=", "data-field=\"state\"", "data-field=\"restarts\"", "data-field=\"pid\"",
        "data-action=\"restart\"", "data-action=\"stop\"", "data-action=\"start\""}) {
    EXPECT_NE(page.find(attribute), std::string::npos) << attribute;
  }
}

TEST(Routes, TheDashboardListensForEveryKindOfEvent) {
  // An EventSource hears only the named events it listens for.
  const std::string script(dashboard_asset("/dashboard.js")->body);
  for (int kind = 0; kind <= static_cast<int>(journal::EntryKind::unstalled); ++kind) {
    const auto name = journal::to_string(static_cast<journal::EntryKind>(kind));
    EXPECT_NE(script.find("'" + std::string(name) + "'"), std::string::npos) << name;
  }
}

TEST(Routes, ChildCommandsBecomeControlRequestsWithTheToken) {
  for (const std::string_view action : {"restart", "stop", "start"}) {
    const auto route =
        http::route({"POST", "/api/v1/children/Stream-A/" + std::string(action), "", bearer()},
                    fake_endpoints());
    ASSERT_TRUE(route.control) << action;
    EXPECT_EQ(*route.control,
              (nlohmann::json{{"command", std::string(action)}, {"child", "Stream-A"}}));
  }
  const auto down = http::route({"POST", "/api/v1/down", "", bearer()}, fake_endpoints());
  ASSERT_TRUE(down.control);
  EXPECT_EQ(*down.control, (nlohmann::json{{"command", "down"}}));
  const auto escaped =
      http::route({"POST", "/api/v1/children/a%20b%2Bc/stop", "", "bearer " + std::string(kToken)},
                  fake_endpoints());
  ASSERT_TRUE(escaped.control) << "the scheme's name is case-insensitive";
  EXPECT_EQ((*escaped.control)["child"], "a b+c");
}

TEST(Routes, StateChangesWithoutTheRightTokenAreUnauthorised) {
  const std::string wrong_last = std::string(kToken.substr(0, kToken.size() - 1)) + "0";
  for (const std::string& authorization :
       {std::string(), std::string(kToken), std::string("Bearer "), "Bearer " + wrong_last,
        "Bearer " + std::string(kToken) + "0", "Basic " + std::string(kToken)}) {
    for (const std::string_view target : {"/api/v1/children/Stream-A/restart", "/api/v1/down"}) {
      const auto route = http::route({"POST", target, "", authorization}, fake_endpoints());
      EXPECT_FALSE(route.control) << authorization;
      EXPECT_EQ(route.response.status, 401u) << authorization;
      EXPECT_EQ(header(route.response, "WWW-Authenticate"), "Bearer realm=\"supervise\"");
    }
  }
  // A server with no token configured takes no command at all.
  auto tokenless = fake_endpoints();
  tokenless.control_token.clear();
  EXPECT_EQ(http::route({"POST", "/api/v1/down", "", "Bearer "}, tokenless).response.status, 401u);
}

TEST(Routes, CommandPathsAnswerPostOnlyAndUnknownActionsAreNotFound) {
  const auto get =
      http::route({"GET", "/api/v1/children/Stream-A/restart", "", bearer()}, fake_endpoints());
  EXPECT_EQ(get.response.status, 405u);
  EXPECT_EQ(header(get.response, "Allow"), "POST");
  for (const std::string_view target :
       {"/api/v1/children/Stream-A/kill", "/api/v1/children//restart", "/api/v1/children/restart",
        "/api/v1/children/a%2/stop", "/api/v1/children/a%2Fb/stop"}) {
    const auto route = http::route({"POST", target, "", bearer()}, fake_endpoints());
    EXPECT_FALSE(route.control) << target;
    EXPECT_EQ(route.response.status, 404u) << target;
  }
}

TEST(Routes, ControlRepliesBecomeStatusCodes) {
  const auto taken = control_response({{"ok", true}, {"message", "restart A: accepted"}});
  EXPECT_EQ(taken.status, 200u);
  EXPECT_EQ(taken.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(taken.body)["message"], "restart A: accepted");
  EXPECT_EQ(control_response({{"ok", false}, {"error", "no child 'x' in this tree"}}).status, 404u);
}

}  // namespace
}  // namespace supervise::http
