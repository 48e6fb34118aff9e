/**
 * Message templates as LogTape 2.4 parsed them: `{name}` takes the property `name` (a key with
 * spaces falls back to its trimmed form), `{*}` all properties, `{{` and `}}` are literal braces,
 * a `{` without a closing `}` is text.
 *
 * @module
 */

/**
 * Splits `template` into text (even indexes) and property values (odd indexes).
 *
 * @param template E.g. `"{name} is up"`.
 * @param properties The values of its placeholders.
 */
export function parseMessageTemplate(
  template: string,
  properties: Record<string, unknown>,
): unknown[] {
  if (!template.includes("{")) return [template];
  const parts: unknown[] = [];
  let start = 0;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === "{") {
      if (template[i + 1] === "{") {
        i++;
        continue;
      }
      const close = template.indexOf("}", i + 1);
      if (close === -1) continue;
      parts.push(unescapeBraces(template.slice(start, i)));
      parts.push(placeholderValue(template.slice(i + 1, close), properties));
      i = close;
      start = close + 1;
    } else if (char === "}" && template[i + 1] === "}") {
      i++;
    }
  }
  parts.push(unescapeBraces(template.slice(start)));
  return parts;
}

function placeholderValue(key: string, properties: Record<string, unknown>): unknown {
  const trimmed = key.trim();
  if (trimmed === "*") {
    if (key in properties) return properties[key];
    return "*" in properties ? properties["*"] : properties;
  }
  if (key !== trimmed && key in properties) return properties[key];
  return properties[trimmed];
}

function unescapeBraces(text: string): string {
  return text.replace(/{{/g, "{").replace(/}}/g, "}");
}
