declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  /** Swagger UI's ES bundle: renders an OpenAPI document into `domNode`. */
  export default function SwaggerUIBundle(options: Record<string, unknown> & { domNode: HTMLElement; url: string }): unknown;
}
declare module '*.css';
declare module 'punycode.js' {
  /** A domain's punycode labels (`xn--…`) in Unicode; other labels as they are. */
  export function toUnicode(domain: string): string;
}
