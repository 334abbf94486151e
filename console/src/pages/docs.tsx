import { useEffect, useRef } from 'preact/hooks';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';
import { Page } from '../components/ui';

/**
 * The API reference, rendered by Swagger UI from the API's own /v1/openapi.json (generated from the
 * route manifests). "Try it out" calls this origin; authorize with one of your keys to call a product.
 */
export function ApiReference() {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    void import('swagger-ui-dist/swagger-ui-es-bundle.js').then(({ default: SwaggerUIBundle }) => {
      if (cancelled || !box.current) return;
      SwaggerUIBundle({
        domNode: box.current,
        url: '/v1/openapi.json',
        deepLinking: false,
        // No third-party validator badge: the console makes no request off this origin.
        validatorUrl: null,
        tryItOutEnabled: false,
        persistAuthorization: false,
        withCredentials: true,
        // Swagger UI labels its server choice with a separate heading only.
        onComplete: () => box.current?.querySelector('#servers')?.setAttribute('aria-label', 'Server'),
      });
    });
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <Page
      title="API reference"
      intro="Every route of the API. To try a product call, choose Authorize and paste one of your API keys; it stays in this page only."
    >
      <div ref={box} class="swagger" />
    </Page>
  );
}
