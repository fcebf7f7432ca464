/** Installing LineageLens's hooks into AI coding tools' hook configurations. */
export { installHooks, uninstallHooks, hooksStatus, HooksConfigError, type HooksEdit, type HooksRemoval, type HooksStatus } from './hooksConfig';
export { HOOK_SPECS, isOurCommand, type HookSpec } from './hookSpecs';
export { hooksConfigLocation, COPILOT_HOOKS_FILE, type HooksConfigLocation, type HooksScope } from './paths';
