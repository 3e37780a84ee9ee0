import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { QueryKey, UseQueryResult } from '@tanstack/react-query';
import { queryClient } from '../../state/query-client';
import { Dialog } from '../Dialog';
import { Pagination } from '../Pagination';
import { Empty, ErrorState, Loading, SkeletonLines, StaleNotice } from '../states';
import { FormError, RecordForm } from './RecordForm';
import type { RecordFormSpec } from './RecordForm';

export const ADMIN_PAGE_SIZE = 20;

/** The page of a collection the table asks for: the search words, the page number, its size. */
export interface ListQuery {
  q: string;
  page: number;
  limit: number;
}

/** A column of the table after the one naming the row: its heading and what it shows for a row. */
export interface Column<Entry> {
  heading: string;
  /** Numbers line up on the right. */
  numeric?: boolean;
  cell: (entry: Entry) => ReactNode;
}

/** How the collection is named on screen: `{ title: 'Items', one: 'item', many: 'items' }`. */
export interface CollectionWords {
  title: string;
  one: string;
  many: string;
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/**
 * The search box, debounced: `onSearch` gets the words once typing has paused, and only when
 * they changed (not on the first render, which would send the table back to its first page).
 */
function SearchBox({ label, onSearch }: { label: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState('');
  const searched = useRef('');
  useEffect(() => {
    const words = text.trim();
    if (words === searched.current) return;
    const timer = setTimeout(() => {
      searched.current = words;
      onSearch(words);
    }, 300);
    return () => clearTimeout(timer);
    // onSearch is a state setter wrapper; the text decides.
  }, [text]);
  const id = `search-${label}`;
  return (
    <div className="field toolbar-search">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
    </div>
  );
}

function Status({ message }: { message: string | undefined }) {
  return (
    <div role="status" className="admin-status">
      {message ? <p className="alert alert-success">{message}</p> : null}
    </div>
  );
}

/** A delete asked for once more, in a dialog: "Delete Kettle?". */
function ConfirmDelete({
  name,
  consequence,
  onConfirm,
  onClose,
}: {
  name: string;
  consequence: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  return (
    <Dialog title={`Delete ${name}?`} onClose={onClose} small>
      <p>{consequence}</p>
      <FormError message={message} />
      <div className="form-actions">
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            onConfirm().catch((error: unknown) => {
              setBusy(false);
              setMessage(error instanceof Error ? error.message : String(error));
            });
          }}
        >
          {busy ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" className="btn btn-secondary" data-autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

function TableSkeleton() {
  return (
    <div className="panel">
      <SkeletonLines count={6} />
    </div>
  );
}

/** What the collection's dialog shows: a new record's form, a record's form, or a delete to confirm. */
type Editing<Entry> =
  { kind: 'new' } | { kind: 'edit'; entry: Entry } | { kind: 'delete'; entry: Entry } | undefined;

export interface AdminCollectionProps<Entry extends { id: string }, Page extends { total: number }, Values> {
  words: CollectionWords;
  /** The list query for one page of the collection, searched and paged by the service. */
  useList: (query: ListQuery) => UseQueryResult<Page>;
  entriesOf: (page: Page) => Entry[];
  /** Every cached query of the collection: a save or a delete refreshes them all. */
  queryKey: QueryKey;
  /** The name a record goes by in the table's first column, buttons and messages. */
  nameOf: (entry: Entry) => string;
  /** The heading of that first column: "Name". */
  nameHeading: string;
  columns: Column<Entry>[];
  form: RecordFormSpec<Entry, Values>;
  remove: (entry: Entry) => Promise<unknown>;
  /** What a delete does, asked before it is done: "It leaves the catalog at once…". */
  deleteConsequence: string;
}

/**
 * One collection of the admin area: a table searched and paged by the service, with a dialog to
 * create or edit a record and one to confirm a delete, and a status line saying what was done.
 */
export function AdminCollection<Entry extends { id: string }, Page extends { total: number }, Values>({
  words,
  useList,
  entriesOf,
  queryKey,
  nameOf,
  nameHeading,
  columns,
  form,
  remove,
  deleteConsequence,
}: AdminCollectionProps<Entry, Page, Values>) {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const list = useList({ q, page, limit: ADMIN_PAGE_SIZE });
  const [editing, setEditing] = useState<Editing<Entry>>();
  const [message, setMessage] = useState<string | undefined>();
  const data = list.data;
  const entries = data ? entriesOf(data) : [];
  const pages = data ? Math.max(1, Math.ceil(data.total / ADMIN_PAGE_SIZE)) : 1;
  // A delete that emptied the last page: show the page before it.
  useEffect(() => {
    if (data && entries.length === 0 && page > pages) setPage(pages);
  }, [data, entries.length, page, pages]);

  const done = (text: string) => {
    setEditing(undefined);
    setMessage(text);
    void queryClient.invalidateQueries({ queryKey });
  };
  const deletion = useMutation(
    { mutationFn: remove, onSuccess: (_, entry) => done(`Deleted ${nameOf(entry)}.`) },
    queryClient,
  );
  const headingId = `admin-${words.many}`;
  const formTitle = (shown: { kind: 'new' } | { kind: 'edit'; entry: Entry }) =>
    shown.kind === 'edit' ? `Edit ${nameOf(shown.entry)}` : `New ${words.one}`;

  return (
    <section aria-labelledby={headingId} className="admin-section">
      <div className="admin-section-head">
        <h2 id={headingId}>{words.title}</h2>
        <button type="button" className="btn" onClick={() => setEditing({ kind: 'new' })}>
          New {words.one}
        </button>
      </div>
      <div className="toolbar">
        <SearchBox
          label={`Search ${words.many}`}
          onSearch={(text) => {
            setQ(text);
            setPage(1);
          }}
        />
        {data ? (
          <p className="count">
            {data.total} {data.total === 1 ? words.one : words.many}
          </p>
        ) : null}
      </div>
      <Status message={message} />
      {list.isPending ? (
        <>
          <Loading what={words.many} />
          <TableSkeleton />
        </>
      ) : null}
      {list.isError && !data ? (
        <ErrorState
          error={list.error}
          retry={() => void list.refetch()}
          busy={list.isFetching}
          what={words.many}
        />
      ) : null}
      {list.isError && data ? (
        <StaleNotice what={`the ${words.many}`} retry={() => void list.refetch()} busy={list.isFetching} />
      ) : null}
      {data && entries.length === 0 ? (
        <Empty title={q ? `No ${words.many} match your search.` : `There are no ${words.many} yet.`} />
      ) : null}
      {entries.length > 0 ? (
        <div className="card table-card" aria-busy={list.isPlaceholderData || undefined}>
          <table className="table stack">
            <caption className="visually-hidden">
              {words.title}, page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">{nameHeading}</th>
                {columns.map((column) => (
                  <th key={column.heading} scope="col" className={column.numeric ? 'num' : undefined}>
                    {column.heading}
                  </th>
                ))}
                <th scope="col" className="actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row">{nameOf(entry)}</th>
                  {columns.map((column) => (
                    <td
                      key={column.heading}
                      data-label={column.heading}
                      className={column.numeric ? 'num' : undefined}
                    >
                      {column.cell(entry)}
                    </td>
                  ))}
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      aria-label={`Edit ${nameOf(entry)}`}
                      onClick={() => setEditing({ kind: 'edit', entry })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-danger-ghost btn-sm"
                      aria-label={`Delete ${nameOf(entry)}`}
                      onClick={() => setEditing({ kind: 'delete', entry })}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination page={page} pages={pages} onPage={setPage} label={`${capitalized(words.one)} pages`} />

      {editing?.kind === 'new' || editing?.kind === 'edit' ? (
        <Dialog title={formTitle(editing)} onClose={() => setEditing(undefined)}>
          <RecordForm
            spec={form}
            record={editing.kind === 'edit' ? editing.entry : undefined}
            label={formTitle(editing)}
            submitLabel={editing.kind === 'edit' ? `Save ${words.one}` : `Create ${words.one}`}
            onCancel={() => setEditing(undefined)}
            onSaved={(saved) =>
              done(editing.kind === 'edit' ? `Saved ${nameOf(saved)}.` : `${capitalized(words.one)} created.`)
            }
          />
        </Dialog>
      ) : null}
      {editing?.kind === 'delete' ? (
        <ConfirmDelete
          name={nameOf(editing.entry)}
          consequence={deleteConsequence}
          onConfirm={() => deletion.mutateAsync(editing.entry)}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
    </section>
  );
}
