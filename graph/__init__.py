"""The LangGraph state machine: intake, plan, dispatch, agent, validate, review, synthesize."""
