package io.pipelit.pipelitd.behaviour;

/** The databases the behaviour suite runs on: every suite class runs once per value. */
enum Backend {
  SQLITE,
  POSTGRESQL
}
