#include "harness/report/html_report.h"

#include "harness/report/report_text.h"

namespace parley::harness {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : SanitizeText(text)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string HtmlReport(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds, int) {
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>parley report</title></head><body>\n<ul>\n";
  for (const ScenarioResult& r : results) {
    page += "<li class=\"scenario\" data-status=\"" + std::string(StatusWord(r.status)) + "\">" +
            Escape(r.DisplayName()) + ": " + StatusWord(r.status);
    if (!r.message.empty()) page += "<pre>" + Escape(r.message) + "</pre>";
    page += "</li>\n";
  }
  page += "</ul>\n</body></html>\n";
  return page;
}

}  // namespace parley::harness
