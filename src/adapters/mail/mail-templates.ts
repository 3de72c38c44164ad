import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MailTemplate } from '../../domain/ports/mailer.js';

/** One mail's wording as a deployer wrote it, placeholders (`{{appName}}`) still in. */
export interface MailTemplateText {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type MailTemplates = Readonly<Record<MailTemplate, MailTemplateText>>;

/** The placeholders each mail can fill; any other name in a template is a typo, refused at start-up. */
export const PLACEHOLDERS: Readonly<Record<MailTemplate, readonly string[]>> = {
  verify_email: ['appName', 'email', 'link', 'validFor'],
  reset_password: ['appName', 'email', 'link', 'validFor'],
  confirm_email_change: ['appName', 'email', 'link', 'validFor', 'oldEmail'],
  email_change_requested: ['appName', 'email', 'newEmail'],
  email_changed: ['appName', 'email', 'newEmail'],
  password_changed: ['appName', 'email'],
};

export const MAIL_TEMPLATE_NAMES = Object.keys(PLACEHOLDERS) as MailTemplate[];

/**
 * Beside this module both when it runs from src (tsx) and from dist: `npm run build` copies the
 * folder next to the compiled file.
 */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

export class InvalidMailTemplateError extends Error {
  readonly code = 'INVALID_MAIL_TEMPLATE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMailTemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const namesIn = (source: string): string[] => [...source.matchAll(PLACEHOLDER)].map((m) => m[1] as string);

/**
 * The rules a template must keep, checked once when the templates load so a deployer's typo stops
 * the start, not a mail: every subject names the product, a mail that carries a link shows it in
 * both parts, and no placeholder is unknown.
 */
export function checkMailTemplates(templates: MailTemplates): MailTemplates {
  for (const name of MAIL_TEMPLATE_NAMES) {
    const template = templates[name];
    if (!template) throw new InvalidMailTemplateError(`mail template ${name} is missing`);
    const allowed = PLACEHOLDERS[name];
    for (const part of ['subject', 'text', 'html'] as const) {
      const source = template[part];
      if (typeof source !== 'string' || source.trim() === '') throw new InvalidMailTemplateError(`mail template ${name}: the ${part} is empty`);
      const unknown = namesIn(source).filter((n) => !allowed.includes(n));
      if (unknown.length > 0) throw new InvalidMailTemplateError(`mail template ${name}: the ${part} names {{${unknown[0]}}}; it may use ${allowed.map((n) => `{{${n}}}`).join(', ')}`);
      if (part !== 'subject' && allowed.includes('link') && !namesIn(source).includes('link')) {
        throw new InvalidMailTemplateError(`mail template ${name}: the ${part} part must show {{link}}`);
      }
    }
    if (!namesIn(template.subject).includes('appName')) throw new InvalidMailTemplateError(`mail template ${name}: the subject must name the product ({{appName}})`);
    if (/[\r\n]/.test(template.subject)) throw new InvalidMailTemplateError(`mail template ${name}: the subject must be one line`);
  }
  return templates;
}

/**
 * Reads `subjects.json` and `<template>.txt` / `<template>.html` for every AccountMail from `dir`
 * (synchronously: it runs once, at start-up) and checks them.
 */
export function loadMailTemplates(dir: string = DEFAULT_TEMPLATE_DIR): MailTemplates {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      throw new InvalidMailTemplateError(`mail template file ${join(dir, file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  let subjects: Record<string, unknown>;
  try {
    subjects = JSON.parse(read('subjects.json')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof InvalidMailTemplateError) throw err;
    throw new InvalidMailTemplateError(`${join(dir, 'subjects.json')} is not valid JSON`);
  }
  const entries = MAIL_TEMPLATE_NAMES.map((name): [MailTemplate, MailTemplateText] => {
    const subject = subjects[name];
    if (typeof subject !== 'string') throw new InvalidMailTemplateError(`${join(dir, 'subjects.json')} has no subject for ${name}`);
    return [name, { subject: subject.trim(), text: read(`${name}.txt`), html: read(`${name}.html`) }];
  });
  return checkMailTemplates(Object.fromEntries(entries) as Record<MailTemplate, MailTemplateText>);
}
