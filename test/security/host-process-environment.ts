/**
 * jest's node environment, plus the worker's real `process` as `globalThis.hostProcess`. Tests get a copy of
 * `process` whose listeners never fire, so a test that wants to see unhandled rejections listens on the real one
 * (jest-circus listens there too and fails the running test; both see every rejection).
 */
import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import { TestEnvironment } from "jest-environment-node";

export default class HostProcessEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global.hostProcess = process;
  }
}
