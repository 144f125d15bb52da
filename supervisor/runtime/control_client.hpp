#pragma once

// The client side of the control socket (control_server.hpp): one request,
// one reply, with a deadline. Plain POSIX sockets, so that the commands that
// only ask a running supervisor (status, stop, down, metrics) do not compile
// the event loop's headers.

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace supervise::runtime {

/// Sends one request to the supervisor listening at `socket_path` and waits
/// for its reply, up to `timeout`. Returns the reply, or null JSON with
/// `error` set (no supervisor, timeout, malformed reply).
nlohmann::json control_request(const std::filesystem::path& socket_path,
                               const nlohmann::json& request, std::chrono::milliseconds timeout,
                               std::string& error);

}  // namespace supervise::runtime
