#include "harness/netfuzz/campaign_files.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/netfuzz/finding.h"

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

bool WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

std::vector<std::string> KnownSignatures(const fs::path& out) {
  std::vector<std::string> signatures;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out / "findings", ec)) {
    std::ifstream in(entry.path() / "report.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("signature: ")) signatures.push_back(line.substr(11));
    }
  }
  return signatures;
}

bool SaveQueues(const fs::path& out, const std::vector<const Campaign*>& workers,
                std::string* error) {
  if (workers.empty()) return true;
  const std::vector<FuzzPoint>& points = workers.front()->points();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const fs::path dir = out / "queue" / FindingId(points[i].label);
    std::error_code ec;
    fs::remove_all(dir, ec);
    bool made = false;
    for (std::size_t w = 0; w < workers.size(); ++w) {
      const std::vector<FuzzInput>& queue = workers[w]->queue(i);
      if (queue.empty()) continue;
      if (!made) {
        fs::create_directories(dir, ec);
        if (ec || !WriteBytes(dir / "point.txt", points[i].label + "\n")) {
          *error = "cannot write " + (dir / "point.txt").string() +
                   (ec ? ": " + ec.message() : std::string());
          return false;
        }
        made = true;
      }
      for (std::size_t n = 0; n < queue.size(); ++n) {
        char name[48];
        if (workers.size() == 1) {
          std::snprintf(name, sizeof name, "%06zu.bin", n);
        } else {
          std::snprintf(name, sizeof name, "w%zu-%06zu.bin", w, n);
        }
        if (!WriteBytes(dir / name, queue[n].bytes)) {
          *error = "cannot write " + (dir / name).string();
          return false;
        }
      }
    }
  }
  return true;
}

std::size_t LoadQueues(const fs::path& out, Campaign* campaign) {
  std::size_t loaded = 0;
  for (std::size_t i = 0; i < campaign->points().size(); ++i) {
    const fs::path dir = out / "queue" / FindingId(campaign->points()[i].label);
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".bin") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      campaign->Requeue(i, FuzzInput{bytes.str(), {}, Duration(0)});
      ++loaded;
    }
  }
  return loaded;
}

}  // namespace parley::harness
