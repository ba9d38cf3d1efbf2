#include "harness/netfuzz/campaign_report.h"

#include <cstdio>

namespace parley::harness {
namespace {

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

std::string Cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string CampaignReport(const Campaign& campaign, const ReportContext& context) {
  const CampaignStats& s = campaign.stats();
  const double seconds = std::chrono::duration<double>(s.elapsed).count();
  std::string md = "# parley fuzz report\n\n";
  md += "- command: `" + context.command + "`\n";
  md += "- seed: " + std::to_string(context.seed) + "\n";
  md += "- ran " + Format("%.1f", seconds) + " s, stopped: " + s.stop_reason + "\n";
  md += "- iterations: " + std::to_string(s.iterations) + " (" +
        Format("%.0f", seconds > 0 ? static_cast<double>(s.iterations) / seconds : 0.0) +
        " per second)";
  if (context.earlier_iterations > 0) {
    md += "; " + std::to_string(context.earlier_iterations + s.iterations) +
          " with the campaign it resumed";
  }
  md += "\n";
  md += "- feedback: " + context.mode + "\n";
  md += "- prefix failures (the state before the mutated send was not reached): " +
        std::to_string(s.prefix_failures) + "\n";
  md += "- iterations after which a target had died: " + std::to_string(s.deaths) +
        "; hangs: " + std::to_string(s.hangs) +
        "; broken invariants: " + std::to_string(s.invariant_failures) + "\n";
  if (!campaign.write_errors().empty()) {
    md += "- **findings that could not be saved**: " +
          std::to_string(campaign.write_errors().size()) +
          " (first: " + campaign.write_errors().front() + ")\n";
  }

  md += "\n## Findings\n\n";
  if (campaign.findings().empty()) {
    md += "None.\n";
  } else {
    md += "| id | kind | signature | fuzz point | hits | first seen | replay |\n";
    md += "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const Finding& f : campaign.findings()) {
      md += "| " + f.id + " | " + KindName(f.kind) + " | " + Cell(f.signature) + " | " +
            Cell(f.point->label) + " | " + std::to_string(f.hits) + " | iteration " +
            std::to_string(f.iteration) + ", " + Format("%.1f", f.seconds) + " s | `parley run " +
            "findings/" + f.id + "/scenario.yaml` |\n";
    }
    for (const Finding& f : campaign.findings()) {
      md += "\n### " + f.id + ": " + KindName(f.kind) + "\n\n";
      md += "Mutated send at " + f.point->label + " (" + Cell(f.point->seed->name) +
            "), mutations: " + f.mutations + ".\n\n";
      md += "```\n" + (f.crash.head.empty() ? f.message : f.crash.head) + "\n```\n";
    }
  }

  md += "\n## Fuzz points\n\n| point | scenario | iterations |\n| --- | --- | --- |\n";
  for (const FuzzPoint& p : campaign.points()) {
    auto it = s.per_point.find(p.label);
    md += "| " + Cell(p.label) + " | " + Cell(p.seed->name) + " | " +
          std::to_string(it == s.per_point.end() ? 0 : it->second) + " |\n";
  }
  if (!s.findings_over_time.empty()) {
    md += "\n## Findings over time\n\n| seconds | findings |\n| --- | --- |\n";
    for (const auto& [t, n] : s.findings_over_time) {
      md += "| " + Format("%.1f", t) + " | " + std::to_string(n) + " |\n";
    }
  }
  return md;
}

}  // namespace parley::harness
