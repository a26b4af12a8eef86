package io.pipelit.pipelitd.persistence.impl;

import java.util.Set;

/** Pipelit's component types (the polymorphic identities of component_configs, §1.4) and their groups. */
final class ComponentTypes {
  private ComponentTypes() {}

  static final Set<String> ALL = Set.of(
      "ai_model", "agent", "deep_agent", "categorizer", "router", "extractor", "switch", "assertion", "code",
      "loop", "filter", "merge", "wait", "error_handler", "run_command", "platform_api", "whoami",
      "spawn_and_await", "workflow_create", "workflow_discover", "scheduler_tools", "system_health",
      "human_confirmation", "workflow", "output_parser", "memory_read", "memory_write", "identify_user",
      "get_totp_code", "skill", "validate_gherkin", "validate_topology", "trigger_telegram", "trigger_schedule",
      "trigger_manual", "trigger_workflow", "trigger_error", "trigger_chat", "reply_chat");

  /** Types whose config keeps a system prompt on create (Pipelit drops deep_agent's; we keep it). */
  static final Set<String> WITH_SYSTEM_PROMPT = Set.of("agent", "deep_agent", "categorizer", "router", "extractor");

  static boolean isModel(String type) {
    return "ai_model".equals(type);
  }

  static boolean isTrigger(String type) {
    return type.startsWith("trigger_");
  }
}
