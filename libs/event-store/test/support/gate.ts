/** A promise opened from outside: lets a test hold a transaction open at a chosen point. */
export const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};
