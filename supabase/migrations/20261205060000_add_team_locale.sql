-- The team's language for what the product says to it outside the dashboard: notification titles and texts
-- (dispatch-notifications renders them from the same catalogue as the web app, supabase/functions/_shared/i18n).
-- A team setting: members read it, owners and admins change it (the existing team_settings policies and grants).
alter table public.team_settings
  add column locale text not null default 'en'
    constraint team_settings_locale_known check (locale in ('en', 'ko'));
comment on column public.team_settings.locale is
  'Language of the team''s notifications (en, ko): the web app''s message catalogue renders them.';
