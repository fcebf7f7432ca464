import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateApi, extension } from './helpers';

interface CommandContribution {
  command: string;
  title: string;
}

describe('commands', () => {
  before(async () => {
    await activateApi();
  });

  it('contributes at least showLog and showStatus', () => {
    const contributed = (extension().packageJSON.contributes?.commands ?? []) as CommandContribution[];
    const ids = contributed.map((c) => c.command);
    for (const id of ['lineagelens.showLog', 'lineagelens.showStatus']) assert.ok(ids.includes(id), `${id} is in contributes.commands`);
  });

  it('registers every command it contributes', async () => {
    const contributed = (extension().packageJSON.contributes?.commands ?? []) as CommandContribution[];
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed commands without a registered handler');
  });
});
