// Webhook URLs: what is accepted, and why the rest is not.

#include "supervisor/spec/webhook_url.hpp"

#include <gtest/gtest.h>

namespace supervise::spec {
namespace {

std::optional<WebhookUrl> parse(std::string_view text, std::string* why = nullptr) {
  std::string error;
  auto url = parse_webhook_url(text, error);
  if (why != nullptr) {
    *why = error;
  }
  return url;
}

TEST(WebhookUrl, ReadsHostPortAndTarget) {
  EXPECT_EQ(parse("http://127.0.0.1:8080/hooks/x?token=a"),
            (WebhookUrl{"127.0.0.1", 8080, "/hooks/x?token=a"}));
  EXPECT_EQ(parse("http://ntfy.example.org/alerts"),
            (WebhookUrl{"ntfy.example.org", 80, "/alerts"}));
  EXPECT_EQ(parse("HTTP://host"), (WebhookUrl{"host", 80, "/"}));
  EXPECT_EQ(parse("http://host?x=1"), (WebhookUrl{"host", 80, "/?x=1"}));
  EXPECT_EQ(parse("http://[::1]:9000/a"), (WebhookUrl{"::1", 9000, "/a"}));
  EXPECT_EQ(parse("http://host/a#fragment"), (WebhookUrl{"host", 80, "/a"}));
}

TEST(WebhookUrl, TheHostHeaderNamesAPortOnlyWhenNotTheDefault) {
  EXPECT_EQ(host_header({"example.org", 80, "/"}), "example.org");
  EXPECT_EQ(host_header({"127.0.0.1", 8080, "/"}), "127.0.0.1:8080");
  EXPECT_EQ(host_header({"::1", 9000, "/"}), "[::1]:9000");
}

TEST(WebhookUrl, HttpsIsRefusedAndTheErrorSaysWhatToDoInstead) {
  std::string why;
  EXPECT_FALSE(parse("https://hooks.slack.com/services/x", &why));
  EXPECT_NE(why.find("https"), std::string::npos);
  EXPECT_NE(why.find("exec"), std::string::npos);
}

TEST(WebhookUrl, RefusesWhatItCannotSend) {
  for (const std::string_view text :
       {"", "127.0.0.1:80/x", "http://", "http:///path", "http://host:/x", "http://host:0/",
        "http://host:65536/", "http://host:80a/", "http://us:pw@host/", "http://ho st/",
        "http://[::1/", "http://[zz]/", "http://host/a b", "ftp://host/"}) {
    std::string why;
    EXPECT_FALSE(parse(text, &why)) << text;
    EXPECT_FALSE(why.empty()) << text;
  }
}

}  // namespace
}  // namespace supervise::spec
