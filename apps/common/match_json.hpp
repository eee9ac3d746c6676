#pragma once
// JSON forms of libsfmatch's plan and pop decision, shared by ctictl (--json) and sfproxy
// (screenpop events). One shape everywhere, so a script and the softphone read the same.

#include "json_writer.hpp"

#include "cti/agent.hpp"
#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

namespace cti::app {

/// {"caller_id":{...},"ivr_tags":[...],"steps":[{"source","language","objects","field",
///  "value","mode","query"}]}
void write_plan(JsonWriter& json, const sfmatch::MatchPlan& plan);

/// {"kind","matched_by","records":[{"object","id","name"}],"new_record_object",
///  "default_fields":{...}}
void write_decision(JsonWriter& json, const sfmatch::PopDecision& decision);

/// {"caller_id_objects":[...],"ivr_match":"..."}: an agent's settings, as the API shows them.
void write_agent_settings(JsonWriter& json, const cti::AgentSettings& settings);

}  // namespace cti::app
