/** The models the settings name, resolved for a document's workspace folder (see modelRef.ts). */
import * as vscode from 'vscode';
import fs from 'node:fs';
import type { Side } from '../protocol/index.ts';
import { resolveModelRef, type ResolvedModel } from './modelRef.ts';
import type { Settings } from './settings.ts';

export class ModelResolver {
  constructor(private readonly extensionPath: string) {}

  resolve(setting: string, uri?: vscode.Uri): ResolvedModel {
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : vscode.workspace.workspaceFolders?.[0];
    return resolveModelRef(setting, {
      extensionPath: this.extensionPath,
      workspaceFolder: folder?.uri.fsPath,
      exists: (p) => { try { return fs.statSync(p).isDirectory(); } catch { return false; } },
    });
  }

  /** Both models of the settings. */
  pair(s: Pick<Settings, 'baseModel' | 'tunedModel'>, uri?: vscode.Uri): Record<Side, ResolvedModel> {
    return { base: this.resolve(s.baseModel, uri), tuned: this.resolve(s.tunedModel, uri) };
  }
}
