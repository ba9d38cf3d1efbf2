#include "harness/netfuzz/campaign_report.h"

#include <algorithm>
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

std::string CampaignReport(const std::vector<const Campaign*>& workers, const FindingBook& book,
                           const ReportContext& context) {
  const CampaignStats s = MergeStats(workers);
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
  if (context.jobs > 1) {
    md += "- workers: " + std::to_string(context.jobs) +
          " (each with its own target processes and coverage maps; seeds " +
          std::to_string(context.seed) + " to " + std::to_string(context.seed + context.jobs - 1) +
          "; the coverage below is the worker that saw the most edges)\n";
  }
  md += "- feedback: " + context.mode + "\n";
  if (!s.edges_over_time.empty()) {
    md += "- coverage: " + std::to_string(s.edges) + " edges; " + std::to_string(s.queued) +
          " inputs queued for new coverage (chart: coverage.svg)\n";
  }
  if (s.undrained > 0) {
    md += "- iterations whose connection the target kept open past --drain: " +
          std::to_string(s.undrained) + "\n";
  }
  md += "- prefix failures (the state before the mutated send was not reached): " +
        std::to_string(s.prefix_failures) + "\n";
  md += "- iterations after which a target had died: " + std::to_string(s.deaths) +
        "; hangs: " + std::to_string(s.hangs) +
        "; broken invariants: " + std::to_string(s.invariant_failures) + "\n";
  if (!book.write_errors().empty()) {
    md += "- **findings that could not be saved**: " + std::to_string(book.write_errors().size()) +
          " (first: " + book.write_errors().front() + ")\n";
  }

  md += "\n## Findings\n\n";
  if (book.findings().empty()) {
    md += "None.\n";
  } else {
    md += "| id | kind | signature | fuzz point | hits | first seen | replay |\n";
    md += "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const Finding& f : book.findings()) {
      md += "| " + f.id + " | " + KindName(f.kind) + " | " + Cell(f.signature) + " | " +
            Cell(f.point->label) + " | " + std::to_string(f.hits) + " | iteration " +
            std::to_string(f.iteration) + ", " + Format("%.1f", f.seconds) + " s | `parley run " +
            "findings/" + f.id + "/scenario.yaml` |\n";
    }
    for (const Finding& f : book.findings()) {
      md += "\n### " + f.id + ": " + KindName(f.kind) + "\n\n";
      md += "Mutated send at " + f.point->label + " (" + Cell(f.point->seed->name) +
            "), mutations: " + f.mutations + ".\n\n";
      md += "```\n" + (f.crash.head.empty() ? f.message : f.crash.head) + "\n```\n";
    }
  }

  md += "\n## Fuzz points\n\n| point | scenario | iterations |\n| --- | --- | --- |\n";
  for (const FuzzPoint& p : workers.front()->points()) {
    auto it = s.per_point.find(p.label);
    md += "| " + Cell(p.label) + " | " + Cell(p.seed->name) + " | " +
          std::to_string(it == s.per_point.end() ? 0 : it->second) + " |\n";
  }
  if (!book.over_time().empty()) {
    md += "\n## Findings over time\n\n| seconds | findings |\n| --- | --- |\n";
    for (const auto& [t, n] : book.over_time()) {
      md += "| " + Format("%.1f", t) + " | " + std::to_string(n) + " |\n";
    }
  }
  if (!s.edges_over_time.empty()) {
    md += "\n## Coverage over time\n\n![edges over time](coverage.svg)\n\n";
    md += "| seconds | edges |\n| --- | --- |\n";
    // At most about twenty rows: every k-th sample, and the last.
    const std::size_t n = s.edges_over_time.size();
    const std::size_t step = n > 20 ? (n + 19) / 20 : 1;
    for (std::size_t i = 0; i < n; i += step) {
      md += "| " + Format("%.1f", s.edges_over_time[i].first) + " | " +
            std::to_string(s.edges_over_time[i].second) + " |\n";
    }
    if ((n - 1) % step != 0) {
      md += "| " + Format("%.1f", s.edges_over_time.back().first) + " | " +
            std::to_string(s.edges_over_time.back().second) + " |\n";
    }
  }
  return md;
}

std::string CoverageChart(const CampaignStats& s) {
  if (s.edges_over_time.empty()) return "";
  constexpr double kWidth = 640, kHeight = 320, kLeft = 60, kBottom = 40, kTop = 20, kRight = 20;
  const double seconds = std::max(std::chrono::duration<double>(s.elapsed).count(),
                                  std::max(s.edges_over_time.back().first, 1.0));
  std::size_t most = 1;
  for (const auto& [t, edges] : s.edges_over_time)
    most = std::max(most, edges);
  auto x = [&](double t) { return kLeft + (kWidth - kLeft - kRight) * t / seconds; };
  auto y = [&](double e) {
    return kHeight - kBottom - (kHeight - kBottom - kTop) * e / static_cast<double>(most);
  };
  std::string points;
  double last_edges = 0;
  for (const auto& [t, edges] : s.edges_over_time) {
    // A step chart: the count holds until the next sample.
    if (!points.empty()) points += Format("%.1f,", x(t)) + Format("%.1f ", y(last_edges));
    points += Format("%.1f,", x(t)) + Format("%.1f ", y(static_cast<double>(edges)));
    last_edges = static_cast<double>(edges);
  }
  points += Format("%.1f,", x(seconds)) + Format("%.1f", y(last_edges));
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"320\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<title>parley fuzz: edges over time</title>\n"
      "<rect width=\"640\" height=\"320\" fill=\"white\"/>\n";
  svg += "<line x1=\"" + Format("%.0f", kLeft) + "\" y1=\"" + Format("%.0f", kTop) + "\" x2=\"" +
         Format("%.0f", kLeft) + "\" y2=\"" + Format("%.0f", kHeight - kBottom) +
         "\" stroke=\"black\"/>\n";
  svg += "<line x1=\"" + Format("%.0f", kLeft) + "\" y1=\"" + Format("%.0f", kHeight - kBottom) +
         "\" x2=\"" + Format("%.0f", kWidth - kRight) + "\" y2=\"" +
         Format("%.0f", kHeight - kBottom) + "\" stroke=\"black\"/>\n";
  svg += "<text x=\"" + Format("%.0f", kLeft - 6) + "\" y=\"" + Format("%.0f", kTop + 4) +
         "\" text-anchor=\"end\">" + std::to_string(most) + "</text>\n";
  svg += "<text x=\"" + Format("%.0f", kLeft - 6) + "\" y=\"" + Format("%.0f", kHeight - kBottom) +
         "\" text-anchor=\"end\">0</text>\n";
  svg += "<text x=\"" + Format("%.0f", kWidth - kRight) + "\" y=\"" +
         Format("%.0f", kHeight - kBottom + 16) + "\" text-anchor=\"end\">" +
         Format("%.0f s", seconds) + "</text>\n";
  svg += "<text x=\"" + Format("%.0f", kLeft) + "\" y=\"" + Format("%.0f", kHeight - 8) +
         "\">seconds</text>\n<text x=\"12\" y=\"" + Format("%.0f", kTop + 4) + "\">edges</text>\n";
  svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"" + points +
         "\"/>\n</svg>\n";
  return svg;
}

}  // namespace parley::harness
