/**
 * Personal information (PIPL Art. 6 and 51): lists show contact details masked; only a
 * person's own record, to those allowed to see it, shows them whole.
 */

/** `13812345678` → `138****5678`; shorter or odd numbers keep at most their last 4 digits. */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length >= 11) return `${digits.slice(0, digits.length - 8)}****${digits.slice(-4)}`;
  if (digits.length > 4) return `****${digits.slice(-4)}`;
  return '****';
};

/** `zhangsan@example.cn` → `z***@example.cn`. */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
};
