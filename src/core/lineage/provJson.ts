/**
 * A lineage subgraph as W3C PROV-JSON (https://www.w3.org/submissions/prov-json/), for auditors' tools:
 *
 *   edits, people's changes, prompts, commits, files  -> entities (commits and files as prov:Collection)
 *   AI edit sessions, PR reviews                       -> activities
 *   tools and people                                   -> agents (prov:SoftwareAgent, prov:Person)
 *   part-of      -> wasGeneratedBy(edit, session)       prompted-by -> used(session, prompt)
 *   derived-from -> wasDerivedFrom(later, earlier), prov:Revision
 *   landed-in / moved-to -> hadMember(commit | file, edit)
 *   rewritten-as -> wasDerivedFrom(new commit, old commit), prov:Revision
 *   reviewed-in  -> used(review, commit)
 *   a session's tool -> wasAssociatedWith(session, tool); a change's author -> wasAttributedTo(change, person)
 *
 * Attributes are the display-safe node facts (never prompt or code text).
 */
import type { LineageEdge, LineageNode } from './lineageGraph';
import type { Subgraph } from './lineageQueries';

export const LL_NAMESPACE = 'https://lineagelens.dev/ns/prov#';

type ProvRecord = Record<string, string | number | boolean | { $: string; type: string }>;
export interface ProvDocument {
  prefix: Record<string, string>;
  entity: Record<string, ProvRecord>;
  activity: Record<string, ProvRecord>;
  agent: Record<string, ProvRecord>;
  wasGeneratedBy: Record<string, ProvRecord>;
  used: Record<string, ProvRecord>;
  wasDerivedFrom: Record<string, ProvRecord>;
  hadMember: Record<string, ProvRecord>;
  wasAssociatedWith: Record<string, ProvRecord>;
  wasAttributedTo: Record<string, ProvRecord>;
}

/** `ll:` qualified names: PROV-JSON keys are QNames, so node ids are made safe for the local part. */
export function qname(id: string): string {
  return `ll:${id.replace(/[^A-Za-z0-9._-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}

function attrs(n: LineageNode): ProvRecord {
  const out: ProvRecord = {};
  for (const [k, v] of Object.entries(n.attrs)) if (v !== null && v !== undefined) out[`ll:${k}`] = v;
  return out;
}

const ENTITY_TYPES: Partial<Record<LineageNode['kind'], string>> = { edit: 'll:AiEdit', human: 'll:HumanChange', prompt: 'll:Prompt', commit: 'prov:Collection', file: 'prov:Collection' };

export function toProvJson(sub: Subgraph): ProvDocument {
  const doc: ProvDocument = {
    prefix: { ll: LL_NAMESPACE },
    entity: {},
    activity: {},
    agent: {},
    wasGeneratedBy: {},
    used: {},
    wasDerivedFrom: {},
    hadMember: {},
    wasAssociatedWith: {},
    wasAttributedTo: {},
  };
  const kindOf = new Map(sub.nodes.map((n) => [n.id, n.kind]));
  let counter = 0;
  const rel = (table: Record<string, ProvRecord>, r: ProvRecord) => (table[`_:r${++counter}`] = r);

  for (const n of sub.nodes) {
    const q = qname(n.id);
    if (n.kind === 'session' || n.kind === 'pr') {
      doc.activity[q] = { 'prov:type': n.kind === 'session' ? 'll:AiEditSession' : 'll:PullRequestReview', ...attrs(n) };
      if (n.kind === 'session' && typeof n.attrs.tool === 'string') {
        const tool = qname(`tool:${n.attrs.tool}`);
        doc.agent[tool] = { 'prov:type': 'prov:SoftwareAgent', 'll:name': n.attrs.tool };
        rel(doc.wasAssociatedWith, { 'prov:activity': q, 'prov:agent': tool });
      }
      continue;
    }
    doc.entity[q] = { 'prov:type': ENTITY_TYPES[n.kind] ?? `ll:${n.kind}`, ...attrs(n) };
    if (n.kind === 'human' && typeof n.attrs.author === 'string') {
      const person = qname(`person:${n.attrs.author}`);
      doc.agent[person] = { 'prov:type': 'prov:Person', 'll:name': n.attrs.author };
      rel(doc.wasAttributedTo, { 'prov:entity': q, 'prov:agent': person });
    }
  }

  const seen = new Set<string>();
  for (const e of sub.edges) {
    const key = `${e.from}\u0000${e.kind}\u0000${e.to}`;
    if (seen.has(key) || !kindOf.has(e.from) || !kindOf.has(e.to)) continue;
    seen.add(key);
    edge(doc, e, rel);
  }
  return doc;
}

function edge(doc: ProvDocument, e: LineageEdge, rel: (t: Record<string, ProvRecord>, r: ProvRecord) => void): void {
  const [from, to] = [qname(e.from), qname(e.to)];
  const how = { 'll:evidence': e.evidence, 'll:confidence': e.confidence };
  switch (e.kind) {
    case 'part-of':
      return rel(doc.wasGeneratedBy, { 'prov:entity': from, 'prov:activity': to, ...how });
    case 'prompted-by':
      return rel(doc.used, { 'prov:activity': from, 'prov:entity': to, ...how });
    case 'derived-from':
    case 'rewritten-as': {
      const [generated, usedEntity] = e.kind === 'derived-from' ? [from, to] : [to, from];
      return rel(doc.wasDerivedFrom, { 'prov:generatedEntity': generated, 'prov:usedEntity': usedEntity, 'prov:type': 'prov:Revision', ...how });
    }
    case 'landed-in':
    case 'moved-to':
      return rel(doc.hadMember, { 'prov:collection': to, 'prov:entity': from, 'll:relation': e.kind, ...how });
    case 'reviewed-in':
      return rel(doc.used, { 'prov:activity': to, 'prov:entity': from, ...how });
  }
}
