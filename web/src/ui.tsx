// Small pieces every view uses.
import type { ComponentChildren, JSX } from "preact";

type ButtonProps = Omit<JSX.HTMLAttributes<HTMLButtonElement>, "action"> & {
  action: string;
  args?: object;
  children: ComponentChildren;
};

// A control that main.ts sends as the Socket.IO event `action` with `args` when clicked.
export function Action({ action, args = {}, children, ...rest }: ButtonProps) {
  return (
    <button type="button" data-action={action} data-args={JSON.stringify(args)} {...rest}>
      {children}
    </button>
  );
}

export function clock(seconds: number): string {
  const sign = seconds < 0 ? "−" : "";
  const whole = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
