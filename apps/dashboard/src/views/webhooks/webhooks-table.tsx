import type { Webhook } from './webhook-shapes.js';

export function WebhooksTable(props: {
  webhooks: readonly Webhook[];
  selected: string | undefined;
  scopeOf: (webhook: Webhook) => string;
  onManage: (webhook: Webhook) => void;
}) {
  return (
    <table class="table responsive webhooks">
      <caption class="visually-hidden">Webhooks</caption>
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col">Receives</th>
          <th scope="col">Events</th>
          <th scope="col">State</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.webhooks.map((webhook) => (
          <tr
            key={webhook.id}
            data-webhook-id={webhook.id}
            class={props.selected === webhook.id ? 'selected' : undefined}
          >
            <th scope="row" data-label="Endpoint">
              <span class="webhook-url">{webhook.url}</span>
              {webhook.source === 'config' ? <div class="muted small">from configuration</div> : null}
            </th>
            <td data-label="Receives">{props.scopeOf(webhook)}</td>
            <td data-label="Events">
              <code>{webhook.events.join(', ')}</code>
            </td>
            <td data-label="State">
              <span class={`badge ${webhook.enabled ? 'badge-ok' : 'badge-off'}`}>
                {webhook.enabled ? 'enabled' : 'disabled'}
              </span>
            </td>
            <td data-label="Actions">
              <button
                type="button"
                class="button"
                aria-label={`Manage webhook ${webhook.url}`}
                aria-pressed={props.selected === webhook.id}
                onClick={() => props.onManage(webhook)}
              >
                Manage
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
