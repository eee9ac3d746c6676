#pragma once
// JSON forms of libsfmatch's plan and pop decision, shared by ctictl (--json) and sfproxy
// (screenpop events). One shape everywhere, so a script and the softphone read the same.

#include "json_writer.hpp"

#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

namespace cti::app {

/// {"caller_id":{...},"ivr_tags":[...],"steps":[{"source","language","objects","field",
///  "value","mode","query"}]}
void write_plan(JsonWriter& json, const sfmatch::MatchPlan& plan);

/// {"kind","matched_by","records":[{"object","id","name"}],"new_record_object",
///  "default_fields":{...}}
void write_decision(JsonWriter& json, const sfmatch::PopDecision& decision);

}  // namespace cti::app
