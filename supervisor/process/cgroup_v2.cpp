#include "supervisor/process/cgroup_v2.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::process {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < line.size()) {
    const auto end = line.find(' ', at);
    const auto stop = end == std::string_view::npos ? line.size() : end;
    if (stop > at) {
      fields.push_back(line.substr(at, stop - at));
    }
    at = stop + 1;
  }
  return fields;
}

/// mountinfo escapes blanks, tabs, newlines and backslashes as \ooo.
std::string unescape_octal(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      const auto digits = text.substr(i + 1, 3);
      if (digits.size() == 3 && digits.find_first_not_of("01234567") == std::string_view::npos) {
        out.push_back(
            static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::optional<Cgroup2Mount> parse_cgroup2_mount(std::string_view mountinfo) {
  std::size_t at = 0;
  while (at < mountinfo.size()) {
    const auto end = mountinfo.find('\n', at);
    const auto line =
        mountinfo.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? mountinfo.size() : end + 1;
    const auto fields = split_fields(line);
    // ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
    std::size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") {
      ++separator;
    }
    if (fields.size() < 5 || separator + 1 >= fields.size()) {
      continue;
    }
    if (fields[separator + 1] == "cgroup2") {
      return Cgroup2Mount{unescape_octal(fields[4]), unescape_octal(fields[3])};
    }
  }
  return std::nullopt;
}

std::optional<std::string> parse_cgroup_v2_path(std::string_view proc_cgroup) {
  std::size_t at = 0;
  while (at < proc_cgroup.size()) {
    const auto end = proc_cgroup.find('\n', at);
    const auto line =
        proc_cgroup.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? proc_cgroup.size() : end + 1;
    // The v2 hierarchy is "0::<path>"; v1 ones are "<n>:<controllers>:<path>".
    if (line.starts_with("0::") && line.size() > 3 && line[3] == '/') {
      return std::string(line.substr(3));
    }
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> cgroup_directory(const Cgroup2Mount& mount,
                                                      std::string_view path) {
  std::string_view root = mount.root;
  while (root.size() > 1 && root.back() == '/') {
    root.remove_suffix(1);
  }
  std::string_view rest = path;
  if (root != "/") {
    if (!rest.starts_with(root) || (rest.size() > root.size() && rest[root.size()] != '/')) {
      return std::nullopt;
    }
    rest.remove_prefix(root.size());
  }
  while (!rest.empty() && rest.front() == '/') {
    rest.remove_prefix(1);
  }
  if (rest.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  return rest.empty() ? mount.mount_point : mount.mount_point / std::string(rest);
}

CgroupBase find_cgroup_base() {
  CgroupBase base;
  const auto mount = parse_cgroup2_mount(read_text("/proc/self/mountinfo"));
  if (!mount) {
    base.error = "no cgroup v2 hierarchy is mounted";
    return base;
  }
  const auto own = parse_cgroup_v2_path(read_text("/proc/self/cgroup"));
  if (!own) {
    base.error = "this process is in no cgroup v2 (/proc/self/cgroup)";
    return base;
  }
  const auto directory = cgroup_directory(*mount, *own);
  if (!directory) {
    base.error = "our cgroup " + *own + " is not visible under " + mount->mount_point.string();
    return base;
  }
  std::random_device random;
  const auto probe = *directory / ("supervise-probe-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(random()));
  std::string error;
  if (!create_cgroup(probe, error)) {
    base.error = error;
    return base;
  }
  // Moving a process in needs write access to the new cgroup.procs (and to
  // the common ancestor's, which is ours: delegated, or we are root).
  const bool writable = ::access((probe / "cgroup.procs").c_str(), W_OK) == 0 &&
                        ::access((*directory / "cgroup.procs").c_str(), W_OK) == 0;
  const int access_error = errno;
  remove_cgroup(probe, error);
  if (!writable) {
    base.error = "cannot move processes into cgroups under " + directory->string() + ": " +
                 std::strerror(access_error);
    return base;
  }
  base.directory = *directory;
  return base;
}

bool create_cgroup(const std::filesystem::path& cgroup, std::string& error) {
  if (::mkdir(cgroup.c_str(), 0755) != 0) {
    error = "cannot create cgroup " + cgroup.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<std::vector<int>> cgroup_members(const std::filesystem::path& cgroup) {
  std::vector<int> members;
  std::ifstream file(cgroup / "cgroup.procs");
  if (!file) {
    std::error_code ec;
    if (!std::filesystem::exists(cgroup, ec) && !ec) {
      return members;
    }
    return std::nullopt;
  }
  int pid = 0;
  while (file >> pid) {
    members.push_back(pid);
  }
  return members;
}

bool kill_cgroup(const std::filesystem::path& cgroup, std::string& error) {
  FileDescriptor kill_file(::open((cgroup / "cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC));
  if (kill_file.valid()) {
    if (::write(kill_file.get(), "1", 1) == 1 || errno == ENOENT || errno == ENODEV) {
      return true;
    }
    error = "cannot write " + (cgroup / "cgroup.kill").string() + ": " + std::strerror(errno);
    return false;
  }
  if (errno == ENOENT && !std::filesystem::exists(cgroup)) {
    return true;
  }
  // No cgroup.kill (before Linux 5.14): one by one. A process forking
  // meanwhile is caught by the caller's next round.
  bool ok = true;
  for (const int pid : cgroup_members(cgroup).value_or(std::vector<int>{})) {
    if (pid > 1 && ::kill(pid, SIGKILL) != 0 && errno != ESRCH) {
      error = "cannot kill " + std::to_string(pid) + ": " + std::strerror(errno);
      ok = false;
    }
  }
  return ok;
}

bool remove_cgroup(const std::filesystem::path& cgroup, std::string& error) {
  if (::rmdir(cgroup.c_str()) == 0 || errno == ENOENT) {
    return true;
  }
  error = "cannot remove cgroup " + cgroup.string() + ": " + std::strerror(errno);
  return false;
}

int join_cgroup(int procs_fd) {
  // "0" moves the writer itself.
  if (::write(procs_fd, "0", 1) == 1) {
    return 0;
  }
  return errno;
}

}  // namespace supervise::process
