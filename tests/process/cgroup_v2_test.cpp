#include "supervisor/process/cgroup_v2.hpp"

#include <gtest/gtest.h>

namespace supervise::process {
namespace {

// A hybrid machine: v1 controllers, the v2 hierarchy at /sys/fs/cgroup/unified.
constexpr std::string_view kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(Cgroup2Mount, FoundAmongV1MountsInHybridMode) {
  const auto mount = parse_cgroup2_mount(kHybridMountinfo);
  ASSERT_TRUE(mount);
  EXPECT_EQ(mount->mount_point, "/sys/fs/cgroup/unified");
  EXPECT_EQ(mount->root, "/");
}

TEST(Cgroup2Mount, OptionalFieldsBeforeTheSeparatorAreSkipped) {
  const auto mount = parse_cgroup2_mount(
      "25 21 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 master:2 - cgroup2 "
      "cgroup2 rw,nsdelegate\n");
  ASSERT_TRUE(mount);
  EXPECT_EQ(mount->mount_point, "/sys/fs/cgroup");
}

TEST(Cgroup2Mount, EscapedBlanksInTheMountPointAreDecoded) {
  const auto mount = parse_cgroup2_mount("7 1 0:9 /sub /mnt/my\\040cgroups rw - cgroup2 none rw\n");
  ASSERT_TRUE(mount);
  EXPECT_EQ(mount->mount_point, "/mnt/my cgroups");
  EXPECT_EQ(mount->root, "/sub");
}

TEST(Cgroup2Mount, NoneWhenOnlyV1IsMounted) {
  EXPECT_FALSE(
      parse_cgroup2_mount("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                          "garbage line\n"));
  EXPECT_FALSE(parse_cgroup2_mount(""));
}

TEST(CgroupV2Path, TheZeroLineOfProcCgroup) {
  EXPECT_EQ(parse_cgroup_v2_path("9:name=systemd:/\n4:memory:/x/y\n0::/user.slice/up.service\n"),
            "/user.slice/up.service");
  EXPECT_EQ(parse_cgroup_v2_path("0::/\n"), "/");
}

TEST(CgroupV2Path, NoneWithoutAV2Line) {
  EXPECT_FALSE(parse_cgroup_v2_path("4:memory:/x\n1:cpu:/\n"));
  EXPECT_FALSE(parse_cgroup_v2_path(""));
}

TEST(CgroupDirectory, PathUnderTheMount) {
  const Cgroup2Mount mount{"/sys/fs/cgroup", "/"};
  EXPECT_EQ(cgroup_directory(mount, "/"), std::filesystem::path("/sys/fs/cgroup"));
  EXPECT_EQ(cgroup_directory(mount, "/system.slice/a.service"),
            std::filesystem::path("/sys/fs/cgroup/system.slice/a.service"));
}

TEST(CgroupDirectory, AMountOfASubtreeShowsOnlyWhatLiesBelowIt) {
  const Cgroup2Mount mount{"/sys/fs/cgroup", "/lxc/box"};
  EXPECT_EQ(cgroup_directory(mount, "/lxc/box/app"), std::filesystem::path("/sys/fs/cgroup/app"));
  EXPECT_EQ(cgroup_directory(mount, "/lxc/box"), std::filesystem::path("/sys/fs/cgroup"));
  EXPECT_FALSE(cgroup_directory(mount, "/lxc/boxer"));
  EXPECT_FALSE(cgroup_directory(mount, "/other"));
}

TEST(CgroupDirectory, RefusesDotDot) {
  EXPECT_FALSE(cgroup_directory({"/sys/fs/cgroup", "/"}, "/a/../../etc"));
}

}  // namespace
}  // namespace supervise::process
