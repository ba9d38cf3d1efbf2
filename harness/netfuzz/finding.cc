#include "harness/netfuzz/finding.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += (i % 32 == 0) ? '\n' : ' ';
    auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// The seed scenario's node in its file (by its position among the file's scenarios).
bool SeedNode(const Scenario& seed, YAML::Node* out, std::string* error) {
  try {
    int index = 0;
    for (const YAML::Node& document : YAML::LoadAllFromFile(seed.file)) {
      if (!document || document.IsNull()) continue;
      if (document.IsMap()) {
        if (index++ == seed.index) {
          *out = document;
          return true;
        }
        continue;
      }
      for (const YAML::Node& item : document) {
        if (index++ == seed.index) {
          *out = item;
          return true;
        }
      }
    }
  } catch (const YAML::Exception& e) {
    *error = "cannot read " + seed.file + " again: " + e.what();
    return false;
  }
  *error = seed.file + " no longer holds scenario " + std::to_string(seed.index + 1);
  return false;
}

std::string ConnectionOf(const Step& step) {
  if (auto* s = std::get_if<SendStep>(&step.action)) return s->on;
  return "";
}

bool WriteText(const fs::path& path, std::string_view text, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    *error = "cannot write " + path.string();
    return false;
  }
  return true;
}

}  // namespace

const char* KindName(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::kDeath:
      return "crash";
    case Finding::Kind::kHang:
      return "hang";
    case Finding::Kind::kInvariant:
      return "invariant";
  }
  return "?";
}

std::string FindingId(const std::string& signature) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : signature) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text, 12);
}

bool FindingScenario(const Finding& f, std::string* yaml, std::string* error) {
  const FuzzPoint& point = *f.point;
  YAML::Node seed;
  if (!SeedNode(*point.seed, &seed, error)) return false;
  YAML::Node steps_in = seed["steps"];
  YAML::Node scenario(YAML::NodeType::Map);
  scenario["name"] =
      "fuzz " + std::string(KindName(f.kind)) + " " + f.id + " (" + point.seed->name + ")";
  for (const auto& entry : seed) {
    std::string key = entry.first.as<std::string>();
    if (key == "name" || key == "steps" || key == "skip" || key == "description") continue;
    scenario[key] = YAML::Clone(entry.second);
  }
  scenario["description"] = "Found by parley fuzz (" + std::string(KindName(f.kind)) +
                            ", signature: " + f.signature + ") after the send at " + point.label +
                            " was mutated (" + f.mutations + ").";
  YAML::Node steps(YAML::NodeType::Sequence);
  for (std::size_t i = 0; i < point.at; ++i)
    steps.push_back(YAML::Clone(steps_in[point.origin[i]]));
  YAML::Node send(YAML::NodeType::Map);
  send["on"] = ConnectionOf(point.mutated());
  send["hex"] = Hex(f.input.bytes);
  if (!f.input.split.empty()) {
    YAML::Node split(YAML::NodeType::Sequence);
    for (std::size_t s : f.input.split)
      split.push_back(s);
    send["split"] = split;
    if (f.input.delay.count() > 0) send["delay"] = std::to_string(f.input.delay.count()) + "ms";
  }
  send["allow_close"] = true;
  YAML::Node send_step(YAML::NodeType::Map);
  send_step["send"] = send;
  steps.push_back(send_step);
  if (f.kind == Finding::Kind::kInvariant) {
    for (std::size_t i = point.at + 1; i <= f.failed_step && i < point.played.steps.size(); ++i) {
      YAML::Node step = YAML::Clone(steps_in[point.origin[i]]);
      if (step["send"] && step["send"].IsMap()) step["send"]["allow_close"] = true;
      steps.push_back(step);
    }
  } else if (f.kind == Finding::Kind::kHang && f.health != nullptr) {
    YAML::Node health;
    if (!SeedNode(*f.health, &health, error)) return false;
    YAML::Node sleep(YAML::NodeType::Map);
    sleep["sleep"] = "300ms";
    steps.push_back(sleep);
    for (const YAML::Node& step : health["steps"])
      steps.push_back(YAML::Clone(step));
  } else {
    // The target must outlive the bytes and still take a connection: a crash shows as the
    // target's exit (a sanitizer report takes a moment), a hang as a probe that is not served.
    YAML::Node sleep(YAML::NodeType::Map);
    sleep["sleep"] = "300ms";
    steps.push_back(sleep);
    YAML::Node probe(YAML::NodeType::Map);
    probe["name"] = "fuzz_probe";
    if (!point.target.empty()) probe["target"] = point.target;
    YAML::Node connect(YAML::NodeType::Map);
    connect["connect"] = probe;
    steps.push_back(connect);
    YAML::Node close(YAML::NodeType::Map);
    close["close"] = "fuzz_probe";
    steps.push_back(close);
  }
  scenario["steps"] = steps;
  YAML::Emitter out;
  out << YAML::Comment("parley fuzz finding " + f.id + ": " + KindName(f.kind) +
                       "; the mutated bytes: " + ShowBytes(f.input.bytes, 200));
  out << YAML::Newline;
  out << scenario;
  if (!out.good()) {
    *error = std::string("cannot write the scenario: ") + out.GetLastError();
    return false;
  }
  *yaml = std::string(out.c_str()) + "\n";
  return true;
}

bool WriteFinding(const Finding& f, const std::string& dir, std::string* error) {
  std::string yaml;
  if (!FindingScenario(f, &yaml, error)) return false;
  std::string report = std::string("kind: ") + KindName(f.kind) + "\nsignature: " + f.signature +
                       "\nfuzz point: " + f.point->label + " (" + f.point->seed->name + ")" +
                       "\nmutations: " + f.mutations + "\nfirst seen: iteration " +
                       std::to_string(f.iteration) + ", after " +
                       std::to_string(static_cast<long long>(f.seconds)) + " s" +
                       "\nbytes sent: " + ShowBytes(f.input.bytes, 2000) +
                       "\n\nwhat parley saw:\n" + f.message + "\n";
  if (!f.crash.head.empty()) report += "\nthe target's stderr:\n" + f.crash.head;
  std::error_code ec;
  const fs::path final_dir = fs::path(dir) / "findings" / f.id;
  const fs::path temp_dir = fs::path(dir) / "findings" / ("." + f.id + ".tmp");
  fs::remove_all(temp_dir, ec);
  fs::create_directories(temp_dir, ec);
  if (ec) {
    *error = "cannot create " + temp_dir.string() + ": " + ec.message();
    return false;
  }
  if (!WriteText(temp_dir / "scenario.yaml", yaml, error) ||
      !WriteText(temp_dir / "input.bin", f.input.bytes, error) ||
      !WriteText(temp_dir / "report.txt", report, error)) {
    fs::remove_all(temp_dir, ec);
    return false;
  }
  fs::remove_all(final_dir, ec);
  fs::rename(temp_dir, final_dir, ec);
  if (ec) {
    *error = "cannot rename " + temp_dir.string() + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace parley::harness
