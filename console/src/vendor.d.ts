declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  /** Swagger UI's ES bundle: renders an OpenAPI document into `domNode`. */
  export default function SwaggerUIBundle(options: Record<string, unknown> & { domNode: HTMLElement; url: string }): unknown;
}
declare module '*.css';
