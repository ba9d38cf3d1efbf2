#include "harness/scenario/seeds.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

std::string Slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 60) break;
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out.empty() ? "scenario" : out;
}

// Stand-ins for what exists only while a scenario plays.
std::string StandIn(const std::string& name) {
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".port") == 0) return "8080";
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".host") == 0) return "127.0.0.1";
  if (name.size() > 8 && name.compare(name.size() - 8, 8, ".address") == 0) return "127.0.0.1:8080";
  return "x";
}

}  // namespace

std::vector<Seed> CollectSeeds(const std::vector<const Scenario*>& scenarios,
                               const Variables& vars) {
  std::vector<Seed> seeds;
  for (const Scenario* s : scenarios) {
    Variables local = vars;
    local.Set("scenario.name", s->name);
    local.Set("scenario.file", s->file);
    local.Set("scenario.dir", s->dir);
    for (const auto& [name, value] : s->vars) {
      if (local.Find(name) == nullptr) {
        local.Set(name, value.RenderWith([&](const std::string& v) {
          const std::string* known = local.Find(v);
          return known ? *known : StandIn(v);
        }));
      }
    }
    std::map<std::string, std::string> target_of;  // connection -> target
    for (const Step& step : s->steps) {
      if (auto* c = std::get_if<ConnectStep>(&step.action)) {
        target_of[c->name] = c->target.empty() ? "other" : c->target;
      }
      auto* send = std::get_if<SendStep>(&step.action);
      if (send == nullptr) continue;
      // Fill every variable a payload uses with its value or a stand-in.
      Variables filled = local;
      for (const Payload::Piece& piece : send->payload.pieces) {
        for (const Template::Part& part : piece.text.parts()) {
          if (part.is_variable && filled.Find(part.text) == nullptr) {
            filled.Set(part.text, StandIn(part.text));
          }
        }
      }
      Seed seed;
      std::string error;
      if (!RenderPayload(send->payload, filled, &seed.bytes, &error) || seed.bytes.empty())
        continue;
      seed.target = target_of.count(send->on) ? target_of[send->on] : "other";
      seed.name = Slug(std::filesystem::path(s->file).stem().string()) + "--" + Slug(s->name) +
                  "--L" + std::to_string(step.where.line);
      seeds.push_back(std::move(seed));
    }
  }
  return seeds;
}

int WriteSeeds(const std::vector<Seed>& seeds, const std::string& out, std::string* error) {
  int written = 0;
  for (const Seed& seed : seeds) {
    std::filesystem::path dir = std::filesystem::path(out) / seed.target;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      *error = "cannot create " + dir.string() + ": " + ec.message();
      return -1;
    }
    std::ofstream file(dir / seed.name, std::ios::binary | std::ios::trunc);
    file.write(seed.bytes.data(), static_cast<std::streamsize>(seed.bytes.size()));
    if (!file) {
      *error = "cannot write " + (dir / seed.name).string();
      return -1;
    }
    ++written;
  }
  return written;
}

}  // namespace parley::harness
