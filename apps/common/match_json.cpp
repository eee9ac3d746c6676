#include "match_json.hpp"

namespace cti::app {

void write_plan(JsonWriter& json, const sfmatch::MatchPlan& plan) {
  const auto& caller = plan.caller_id;
  json.begin_object();
  json.key("caller_id").begin_object();
  json.field("kind", sfmatch::to_string(caller.kind));
  json.field("digits", caller.digits);
  json.field("country_code", caller.country_code);
  json.field("national", caller.national);
  json.field("e164", caller.e164);
  json.field("extension", caller.extension);
  json.end_object();

  json.key("ivr_tags").begin_array();
  for (const auto& tag : plan.ivr_tags) {
    json.begin_object().field("object", tag.object).field("field", tag.field).field("value", tag.value).end_object();
  }
  json.end_array();

  json.key("steps").begin_array();
  for (const auto& step : plan.steps) {
    json.begin_object();
    json.field("source", sfmatch::to_string(step.source));
    json.field("language", sfmatch::to_string(step.language));
    json.key("objects").begin_array();
    for (const auto& object : step.objects) {
      json.value(object);
    }
    json.end_array();
    json.field("field", step.field);
    json.field("value", step.value);
    json.field("mode", sfmatch::to_string(step.mode));
    json.field("query", step.query);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

void write_decision(JsonWriter& json, const sfmatch::PopDecision& decision) {
  json.begin_object();
  json.field("kind", sfmatch::to_string(decision.kind));
  json.field("matched_by", sfmatch::to_string(decision.matched_by));
  json.key("records").begin_array();
  for (const auto& record : decision.records) {
    json.begin_object().field("object", record.object).field("id", record.id).field("name", record.name).end_object();
  }
  json.end_array();
  json.field("new_record_object", decision.new_record_object);
  json.key("default_fields").begin_object();
  for (const auto& [name, value] : decision.default_fields) {
    json.field(name, value);
  }
  json.end_object();
  json.end_object();
}

void write_agent_settings(JsonWriter& json, const cti::AgentSettings& settings) {
  json.begin_object();
  json.key("caller_id_objects").begin_array();
  for (const auto& object : settings.caller_id_objects) {
    json.value(object);
  }
  json.end_array();
  json.field("ivr_match", settings.ivr_match);
  json.end_object();
}

}  // namespace cti::app
