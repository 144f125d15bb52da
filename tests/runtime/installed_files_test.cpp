#include "supervisor/runtime/installed_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x\n";
}

TEST(InstalledFiles, TheInstallLayoutIsTriedBeforeBesideTheBinary) {
  EXPECT_EQ(shipped_file_candidates(ShippedFile::shim, "/opt/x/bin"),
            (std::vector<fs::path>{"/opt/x/libexec/supervise/worker-wrapper.sh",
                                   "/opt/x/bin/worker-wrapper.sh"}));
  EXPECT_EQ(shipped_file_candidates(ShippedFile::default_prompt, "/opt/x/bin"),
            (std::vector<fs::path>{"/opt/x/share/supervise/foreman-prompt.md",
                                   "/opt/x/bin/foreman-prompt.md"}));
}

TEST(InstalledFiles, AnInstalledTreeIsFoundRelativeToTheBinaryWhereverItIsUnpacked) {
  supervise::testing::TempDir dir;
  touch(dir / "usr/libexec/supervise/worker-wrapper.sh");
  touch(dir / "usr/share/supervise/foreman-prompt.md");
  const auto bin = dir / "usr/bin";
  fs::create_directories(bin);
  EXPECT_EQ(locate_shipped_file(ShippedFile::shim, bin).path,
            dir / "usr/libexec/supervise/worker-wrapper.sh");
  EXPECT_EQ(locate_shipped_file(ShippedFile::default_prompt, bin).path,
            dir / "usr/share/supervise/foreman-prompt.md");
}

TEST(InstalledFiles, ABuildTreeHasThemBesideTheBinary) {
  supervise::testing::TempDir dir;
  touch(dir / "build/worker-wrapper.sh");
  EXPECT_EQ(locate_shipped_file(ShippedFile::shim, dir / "build").path,
            dir / "build/worker-wrapper.sh");
}

TEST(InstalledFiles, AMissingFileNamesEveryPlaceLookedIn) {
  supervise::testing::TempDir dir;
  const auto located = locate_shipped_file(ShippedFile::shim, dir / "usr/bin");
  EXPECT_FALSE(located.found());
  EXPECT_EQ(located.path_or_expected(), dir / "usr/libexec/supervise/worker-wrapper.sh");
  EXPECT_EQ(located.describe_missing(), "worker-wrapper.sh not found (looked in " +
                                            (dir / "usr/libexec/supervise").string() + ", " +
                                            (dir / "usr/bin").string() + ")");
}

}  // namespace
}  // namespace supervise::runtime
