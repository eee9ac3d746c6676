// Turns IVR data and a caller ID into the Salesforce lookups of a screen pop.
//   ivr_to_plan "Case.CaseNumber=1234" "+1 (212) 842-5500"
#include <sfmatch/match_plan.hpp>

#include <iostream>

int main(int argc, char** argv) {
  sfmatch::MatchSettings settings;  // Contact, Account, Lead; exact IVR match; 9/1/011
  auto plan = sfmatch::build_match_plan({argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : ""}, settings);
  if (!plan) {
    std::cerr << "error: " << plan.error().message << "\n";
    return 2;
  }
  for (const auto& step : plan->steps) {
    std::cout << step.query << "\n";
  }
}
