// The API reference page: fetches /openapi.json and renders it with DOM nodes only. Every string
// taken from the document goes through textContent (or a Text node), never through innerHTML, so a
// summary or a description cannot inject markup; ids and links are built from slugs of [a-z0-9-].
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// zod writes JavaScript's safe-integer range as the bounds of every int: noise, not a constraint.
const SAFE_INT = Number.MAX_SAFE_INTEGER;

const $ = (id) => document.getElementById(id);

/** An element with attributes (`text` sets textContent, `className` the class) and children; strings become Text nodes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}
const code = (text) => el('code', { text });
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

const usedIds = new Set();
/** A unique id made only of [a-z0-9-], whatever the document's names contain. */
function slug(prefix, ...parts) {
  const base = `${prefix}-${parts.join('-')}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || prefix;
  let id = base;
  for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
  usedIds.add(id);
  return id;
}
const schemaIds = new Map();
const schemeIds = new Map();

let doc = {};

/** Follows a local JSON pointer ("#/components/..."); anything else stays unresolved. */
function resolve(value, depth = 0) {
  if (!isObject(value) || typeof value.$ref !== 'string' || depth > 10) return value;
  if (!value.$ref.startsWith('#/')) return value;
  let target = doc;
  for (const raw of value.$ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(target) && !Array.isArray(target)) return value;
    target = target[key];
  }
  return target === undefined ? value : resolve(target, depth + 1);
}

function refName(ref) {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  return m ? m[1].replace(/~1/g, '/').replace(/~0/g, '~') : null;
}

/** A short type expression: `string | null`, `Session[]`, a link to a named schema. */
function typeLabel(schema) {
  const out = document.createDocumentFragment();
  const join = (items, sep) =>
    items.forEach((item, i) => {
      if (i > 0) out.append(sep);
      out.append(typeLabel(item));
    });
  if (schema === true || schema === undefined || schema === null || (isObject(schema) && Object.keys(schema).length === 0)) {
    out.append('any');
  } else if (schema === false) {
    out.append('never');
  } else if (typeof schema.$ref === 'string') {
    const name = refName(schema.$ref);
    if (name !== null && schemaIds.has(name)) out.append(el('a', { href: `#${schemaIds.get(name)}` }, name));
    else out.append(code(schema.$ref));
  } else if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    join(schema.oneOf ?? schema.anyOf, ' | ');
  } else if (Array.isArray(schema.allOf)) {
    join(schema.allOf, ' & ');
  } else if ('const' in schema) {
    out.append(code(JSON.stringify(schema.const)));
  } else if (Array.isArray(schema.enum)) {
    schema.enum.forEach((v, i) => {
      if (i > 0) out.append(' | ');
      out.append(code(JSON.stringify(v)));
    });
  } else {
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [schema.properties ? 'object' : 'any'];
    types.forEach((t, i) => {
      if (i > 0) out.append(' | ');
      if (t === 'array') {
        out.append(typeLabel(schema.items), '[]');
      } else {
        out.append(String(t));
      }
    });
  }
  return out;
}

/** The constraints of one schema, as short phrases. */
function constraints(schema) {
  if (!isObject(schema)) return [];
  const out = [];
  if (schema.format) out.push(`format: ${schema.format}`);
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.minimum !== undefined && Math.abs(schema.minimum) !== SAFE_INT) out.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined && Math.abs(schema.maximum) !== SAFE_INT) out.push(`maximum ${schema.maximum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`greater than ${schema.exclusiveMinimum}`);
  if (schema.exclusiveMaximum !== undefined) out.push(`less than ${schema.exclusiveMaximum}`);
  if (schema.minItems !== undefined) out.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) out.push(`at most ${schema.maxItems} items`);
  if (schema.pattern) out.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.example !== undefined) out.push(`example ${JSON.stringify(schema.example)}`);
  if (schema.deprecated) out.push('deprecated');
  if (schema.readOnly) out.push('read-only');
  if (schema.writeOnly) out.push('write-only');
  return out;
}

/** A description followed by its constraints on a line of their own; nothing when there is neither. */
function notes(description, schema) {
  const phrases = constraints(schema);
  return [
    typeof description === 'string' && description ? el('span', { className: 'note', text: description }) : null,
    phrases.length ? el('span', { className: 'constraints', text: phrases.join(' · ') }) : null,
  ].filter(Boolean);
}

/** Whether a schema has structure worth a table of its own (an inline object, or an array or union of them). */
function hasStructure(schema) {
  if (!isObject(schema) || typeof schema.$ref === 'string') return false;
  if (isObject(schema.properties)) return true;
  if (schema.items) return hasStructure(schema.items);
  const alternatives = schema.oneOf ?? schema.anyOf ?? schema.allOf;
  return Array.isArray(alternatives) && alternatives.some(hasStructure);
}

/** A schema as readable HTML: a table of properties for an object, one level per nested object. */
function schemaView(schema, depth = 0) {
  if (depth > 6) return el('p', { className: 'muted' }, '…');
  if (!isObject(schema) || !hasStructure(schema)) {
    return el('div', { className: 'schema' }, el('p', {}, 'Type: ', typeLabel(schema)), notes(schema?.description, schema));
  }
  const alternatives = schema.oneOf ?? schema.anyOf ?? schema.allOf;
  if (Array.isArray(alternatives)) {
    const word = schema.allOf ? 'All of:' : schema.oneOf ? 'One of:' : 'Any of:';
    return el(
      'div',
      { className: 'schema' },
      el('p', {}, word),
      el('ul', {}, alternatives.map((alt) => el('li', {}, hasStructure(alt) ? schemaView(alt, depth + 1) : typeLabel(alt)))),
    );
  }
  if (!isObject(schema.properties)) {
    return el('div', { className: 'schema' }, el('p', {}, 'Array of ', typeLabel(schema.items), ':'), schemaView(schema.items, depth + 1));
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows = Object.entries(schema.properties).map(([name, prop]) => {
    const detail = el('td', {}, notes(prop?.description, prop));
    if (hasStructure(prop)) detail.append(schemaView(prop, depth + 1));
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, code(name)),
      el('td', {}, typeLabel(prop)),
      el('td', {}, required.has(name) ? el('strong', { text: 'required' }) : 'optional'),
      detail,
    );
  });
  const about = notes(schema.description, schema);
  return el(
    'div',
    { className: 'schema' },
    about.length ? el('p', {}, about) : null,
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, ['Property', 'Type', 'Required', 'Description'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, rows),
    ),
    schema.additionalProperties === false ? el('p', { className: 'muted small', text: 'No other properties allowed.' }) : null,
  );
}

/** "bearer or cookie": each requirement object is an AND of schemes, the list an OR. */
function securityView(requirements) {
  if (!Array.isArray(requirements)) return el('p', {}, el('span', { className: 'label', text: 'Authentication: ' }), 'none');
  if (requirements.length === 0) return el('p', {}, el('span', { className: 'label', text: 'Authentication: ' }), 'none');
  const p = el('p', {}, el('span', { className: 'label', text: 'Authentication: ' }));
  requirements.forEach((req, i) => {
    if (i > 0) p.append(' or ');
    const names = isObject(req) ? Object.keys(req) : [];
    if (names.length === 0) p.append('none');
    names.forEach((name, j) => {
      if (j > 0) p.append(' and ');
      p.append(schemeIds.has(name) ? el('a', { href: `#${schemeIds.get(name)}` }, name) : code(name));
      const scopes = req[name];
      if (Array.isArray(scopes) && scopes.length) p.append(` (scopes: ${scopes.join(', ')})`);
    });
  });
  return p;
}

/** Path-level parameters apply to every operation; the operation's own win on the same name and place. */
function parametersOf(pathItem, operation) {
  const merged = new Map();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const param = resolve(raw);
      if (isObject(param)) merged.set(`${param.in}:${param.name}`, param);
    }
  }
  return [...merged.values()];
}

function parametersView(params) {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ['Name', 'In', 'Type', 'Required', 'Description'].map((h) => el('th', { scope: 'col', text: h })))),
    el(
      'tbody',
      {},
      params.map((p) => {
        const schema = p.schema ?? (isObject(p.content) ? Object.values(p.content)[0]?.schema : undefined);
        const description = [p.description ?? schema?.description, p.deprecated ? 'Deprecated.' : null].filter((x) => typeof x === 'string' && x).join(' ');
        return el(
          'tr',
          {},
          el('th', { scope: 'row' }, code(String(p.name))),
          el('td', { text: String(p.in) }),
          el('td', {}, typeLabel(schema)),
          el('td', {}, p.required ? el('strong', { text: 'required' }) : 'optional'),
          el('td', {}, notes(description, schema)),
        );
      }),
    ),
  );
}

function contentView(content) {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([type, media]) => {
    const schema = isObject(media) ? media.schema : undefined;
    return el('div', { className: 'media request-body' }, el('p', {}, code(type), schema !== undefined ? ': ' : '', schema !== undefined ? typeLabel(schema) : ''), schema !== undefined && hasStructure(schema) ? schemaView(schema) : null);
  });
}

function responsesView(responses) {
  const rows = Object.entries(isObject(responses) ? responses : {}).map(([status, raw]) => {
    const response = resolve(raw);
    const body = el('td', {});
    if (isObject(response) && isObject(response.content)) {
      for (const [type, media] of Object.entries(response.content)) {
        const schema = isObject(media) ? media.schema : undefined;
        const line = el('div', { className: 'media' }, code(type));
        if (schema !== undefined) {
          line.append(': ', typeLabel(schema));
          if (hasStructure(schema)) line.append(el('details', {}, el('summary', { text: 'Schema' }), schemaView(schema)));
        }
        body.append(line);
      }
    }
    if (isObject(response) && isObject(response.headers)) {
      body.append(el('p', { className: 'small' }, 'Headers: ', Object.keys(response.headers).map((h, i) => [i > 0 ? ', ' : '', code(h)])));
    }
    if (!body.hasChildNodes()) body.append(el('span', { className: 'muted', text: 'no body' }));
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, el('span', { className: `status status-${String(status).charAt(0)}xx`, text: status })),
      el('td', { text: isObject(response) && typeof response.description === 'string' ? response.description : '' }),
      body,
    );
  });
  return el(
    'table',
    { className: 'responses' },
    el('thead', {}, el('tr', {}, ['Status', 'Description', 'Body'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows),
  );
}

function operationView(path, method, pathItem, operation, id) {
  const headingId = `${id}-h`;
  const article = el(
    'article',
    { className: 'operation', id, 'aria-labelledby': headingId },
    el('h4', { id: headingId }, el('span', { className: `method method-${method}`, text: method.toUpperCase() }), ' ', code(path)),
  );
  const summary = operation.summary ?? pathItem.summary;
  if (typeof summary === 'string' && summary) article.append(el('p', { className: 'summary', text: summary }));
  const description = operation.description ?? pathItem.description;
  if (typeof description === 'string' && description) article.append(el('p', { className: 'description', text: description }));
  if (operation.deprecated) article.append(el('p', { className: 'deprecated', text: 'Deprecated.' }));
  if (typeof operation.operationId === 'string') article.append(el('p', { className: 'small muted' }, 'Operation id: ', code(operation.operationId)));
  article.append(securityView(operation.security ?? doc.security));

  const params = parametersOf(pathItem, operation);
  if (params.length) article.append(el('h5', { text: 'Parameters' }), parametersView(params));

  const body = resolve(operation.requestBody);
  if (isObject(body)) {
    article.append(
      el('h5', { text: 'Request body' }),
      el('p', {}, body.required ? el('strong', { text: 'Required.' }) : 'Optional.', typeof body.description === 'string' ? ` ${body.description}` : ''),
      ...contentView(body.content),
    );
  }
  article.append(el('h5', { text: 'Responses' }), responsesView(operation.responses));
  return article;
}

function schemeView(name, raw) {
  const scheme = resolve(raw);
  const rows = [];
  const add = (term, value) => {
    if (value !== undefined && value !== null && value !== '') rows.push(el('dt', { text: term }), el('dd', {}, value));
  };
  if (isObject(scheme)) {
    add('Type', scheme.type);
    add('Scheme', scheme.scheme);
    add('Bearer format', scheme.bearerFormat);
    add('In', scheme.in);
    add('Name', typeof scheme.name === 'string' ? code(scheme.name) : undefined);
    add('OpenID Connect URL', scheme.openIdConnectUrl);
    if (isObject(scheme.flows)) {
      for (const [flowName, flow] of Object.entries(scheme.flows)) {
        if (!isObject(flow)) continue;
        const parts = [flow.authorizationUrl && `authorization URL ${flow.authorizationUrl}`, flow.tokenUrl && `token URL ${flow.tokenUrl}`, flow.refreshUrl && `refresh URL ${flow.refreshUrl}`];
        if (isObject(flow.scopes) && Object.keys(flow.scopes).length) parts.push(`scopes: ${Object.entries(flow.scopes).map(([s, d]) => `${s} (${d})`).join(', ')}`);
        add(`Flow ${flowName}`, parts.filter(Boolean).join('; '));
      }
    }
  }
  const id = schemeIds.get(name);
  return el(
    'section',
    { className: 'scheme', id, 'aria-labelledby': `${id}-h` },
    el('h3', { id: `${id}-h` }, code(name)),
    isObject(scheme) && typeof scheme.description === 'string' ? el('p', { text: scheme.description }) : null,
    el('dl', {}, rows),
  );
}

function section(id, title, ...children) {
  return el('section', { id, 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h`, text: title }), ...children);
}

/** Operations grouped by their first tag, in the document's order; untagged ones under one heading. */
function groupOperations() {
  const groups = new Map();
  const paths = isObject(doc.paths) ? doc.paths : {};
  const anyTagged = Object.values(paths).some((item) => isObject(item) && METHODS.some((m) => Array.isArray(item[m]?.tags) && item[m].tags.length));
  const fallback = anyTagged ? 'Other' : 'Endpoints';
  for (const tag of Array.isArray(doc.tags) ? doc.tags : []) if (isObject(tag) && typeof tag.name === 'string') groups.set(tag.name, new Map());
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolve(rawItem);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const tag = Array.isArray(operation.tags) && typeof operation.tags[0] === 'string' ? operation.tags[0] : fallback;
      if (!groups.has(tag)) groups.set(tag, new Map());
      const byPath = groups.get(tag);
      if (!byPath.has(path)) byPath.set(path, { item, operations: [] });
      byPath.get(path).operations.push({ method, operation });
    }
  }
  return [...groups].filter(([, byPath]) => byPath.size > 0);
}

function render() {
  const info = isObject(doc.info) ? doc.info : {};
  const title = typeof info.title === 'string' && info.title ? info.title : 'API';
  document.title = `${title} · API reference`;
  $('title').textContent = `${title} API reference`;
  const summary = $('summary');
  summary.textContent = '';
  summary.append(
    `OpenAPI ${typeof doc.openapi === 'string' ? doc.openapi : '?'}`,
    typeof info.version === 'string' ? ` · version ${info.version}` : '',
    ' · rendered from ',
    el('a', { href: '/openapi.json', text: '/openapi.json' }),
  );

  for (const name of Object.keys(isObject(doc.components?.schemas) ? doc.components.schemas : {})) schemaIds.set(name, slug('schema', name));
  for (const name of Object.keys(isObject(doc.components?.securitySchemes) ? doc.components.securitySchemes : {})) schemeIds.set(name, slug('security', name));

  const main = $('content');
  main.textContent = '';
  const overview = [];
  if (typeof info.description === 'string') overview.push(el('p', { text: info.description }));
  const servers = Array.isArray(doc.servers) ? doc.servers.filter((s) => isObject(s) && typeof s.url === 'string') : [];
  if (servers.length) {
    // Server URLs are shown as text, not links: a document must not be able to plant a javascript: URL.
    overview.push(el('p', {}, 'Servers: ', servers.map((s, i) => [i > 0 ? ', ' : '', code(s.url), typeof s.description === 'string' ? ` (${s.description})` : ''])));
  }
  if (overview.length) main.append(section('overview', 'Overview', overview));

  const toc = $('toc');
  toc.textContent = '';
  const tocList = el('ul', {});
  for (const [tag, byPath] of groupOperations()) {
    const tagId = slug('tag', tag);
    const tagInfo = Array.isArray(doc.tags) ? doc.tags.find((t) => isObject(t) && t.name === tag) : undefined;
    const tagSection = section(tagId, tag, typeof tagInfo?.description === 'string' ? el('p', { text: tagInfo.description }) : null);
    const tocOps = el('ul', {});
    for (const [path, { item, operations }] of byPath) {
      const pathId = slug('path', path);
      const pathSection = el('section', { className: 'path', id: pathId, 'aria-labelledby': `${pathId}-h` }, el('h3', { id: `${pathId}-h` }, code(path)));
      for (const { method, operation } of operations) {
        const opId = slug('op', method, path);
        pathSection.append(operationView(path, method, item, operation, opId));
        tocOps.append(el('li', {}, el('a', { href: `#${opId}` }, el('span', { className: `method method-${method}`, text: method.toUpperCase() }), ' ', path)));
      }
      tagSection.append(pathSection);
    }
    main.append(tagSection);
    tocList.append(el('li', {}, el('a', { href: `#${tagId}`, text: tag }), tocOps));
  }

  const schemes = isObject(doc.components?.securitySchemes) ? doc.components.securitySchemes : {};
  const schemeNames = Object.keys(schemes);
  const schemesId = slug('security-schemes');
  main.append(
    section(schemesId, 'Security schemes', schemeNames.length ? schemeNames.map((name) => schemeView(name, schemes[name])) : el('p', { text: 'None.' })),
  );
  tocList.append(el('li', {}, el('a', { href: `#${schemesId}`, text: 'Security schemes' })));

  const schemas = isObject(doc.components?.schemas) ? doc.components.schemas : {};
  if (Object.keys(schemas).length) {
    const schemasId = slug('schemas');
    main.append(
      section(
        schemasId,
        'Schemas',
        Object.entries(schemas).map(([name, schema]) => {
          const id = schemaIds.get(name);
          return el('section', { className: 'schema-def', id, 'aria-labelledby': `${id}-h` }, el('h3', { id: `${id}-h` }, code(name)), schemaView(schema));
        }),
      ),
    );
    tocList.append(el('li', {}, el('a', { href: `#${schemasId}`, text: 'Schemas' })));
  }
  toc.append(el('h2', { className: 'toc-title', text: 'Contents' }), tocList);
  toc.hidden = false;
}

function fail(message) {
  const main = $('content');
  main.textContent = '';
  main.append(el('p', { className: 'error', role: 'alert', text: message }));
}

async function load() {
  const main = $('content');
  try {
    const res = await fetch('/openapi.json', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    doc = await res.json();
    if (!isObject(doc)) throw new Error('the answer is not a JSON object');
    render();
    main.dataset.state = 'ready';
    // The page was empty when the browser looked for the #fragment: look again now.
    const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    target?.scrollIntoView();
  } catch (err) {
    main.dataset.state = 'error';
    fail(`Could not load the OpenAPI document: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

void load();
