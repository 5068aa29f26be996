// @ts-check
// Apply the state patches the kernel sends ({op: set|delete|append, path, value|items}).

export function applyOps(value, ops) {
  let result = structuredClone(value);
  for (const op of ops) {
    const path = op.path;
    if (path.length === 0) {
      result = op.op === "set" ? structuredClone(op.value) : result.concat(op.items);
      continue;
    }
    let parent = result;
    for (const key of path.slice(0, -1)) parent = parent[key];
    const last = path[path.length - 1];
    if (op.op === "set") parent[last] = structuredClone(op.value);
    else if (op.op === "delete") {
      if (Array.isArray(parent)) parent.splice(last, 1);
      else delete parent[last];
    } else parent[last].push(...op.items);
  }
  return result;
}

/** Top-level keys whose value differs between two JSON objects. */
export function changedKeys(before, after) {
  const keys = [];
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before?.[key]) !== JSON.stringify(after[key])) keys.push(key);
  }
  return keys;
}
