/**
 * Shared vocabulary for the synthetic support conversations: slot values, tone-dependent
 * greetings and closers, background sentences and generic agent turns. All product, tool and
 * workspace names are invented; the only addresses are `@example.com`/`@example.org`.
 */

/** Values for `{slot}` placeholders in templates. */
export const SLOTS: Record<string, readonly string[]> = {
  product: ['Orbitask', 'Orbitask', 'the app', 'orbitask', 'Orbitask'],
  feature: [
    'boards',
    'the timeline',
    'recurring tasks',
    'subtasks',
    'custom fields',
    'dashboards',
    'time tracking',
    'forms',
    'automations',
    'docs',
    'the whiteboard',
    'sprints',
  ],
  view: ['board view', 'timeline', 'Gantt chart', 'calendar view', 'list view', 'workload view'],
  browser: ['Chrome', 'Firefox', 'Safari', 'Edge'],
  device: ['iPhone', 'Android phone', 'iPad', 'Android tablet', 'Pixel', 'older Samsung phone'],
  appVersion: ['4.12.0', '4.12.1', '4.13.0', '5.0.2', '5.1.0'],
  when: [
    'yesterday',
    'this morning',
    'last Tuesday',
    'two days ago',
    'over the weekend',
    'on Monday',
    'a few hours ago',
    'last week',
  ],
  since: [
    'since yesterday',
    'for about a week',
    'since the last update',
    'since Monday',
    'for two days',
  ],
  seats: ['5', '8', '12', '15', '25', '40', '60', '120', '300'],
  n: ['2', '3', '4', '5', '6', '10'],
  bigN: ['500', '1,000', '2,000', '5,000', '10,000', '20k'],
  amount: ['$48', '$96', '$120', '$240', '$480', '$1,150', '$2,400', '€310', '£95'],
  month: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'September',
    'October',
    'November',
  ],
  plan: ['Free', 'Team', 'Business', 'Enterprise'],
  paidPlan: ['Team', 'Business', 'Enterprise'],
  invoiceId: ['INV-0042', 'INV-10381', '#20931', 'INV-2024-0117', 'OT-55812'],
  chatApp: ['ChatHub', 'Chatterbox', 'our chat tool'],
  gitApp: ['CodeForge', 'RepoBay'],
  calApp: ['DayPlan', 'the calendar integration', 'CalendarSync'],
  storageApp: ['DriveBox', 'FileCrate'],
  autoApp: ['Zapline', 'FlowBridge'],
  helpdeskApp: ['HelpNest', 'DeskFlow'],
  anyApp: ['ChatHub', 'CodeForge', 'DayPlan', 'DriveBox', 'Zapline', 'HelpNest'],
  otherTool: ['TaskPilot', 'BoardHQ', 'our old tracker', 'a big spreadsheet'],
  format: ['CSV', 'Excel', 'JSON', 'PDF'],
  role: ['admin', 'member', 'guest', 'viewer', 'billing admin'],
  errCode: ['500', '502', '503', '504'],
  region: ['Europe', 'the US east coast', 'Asia', 'Australia', 'South America'],
  idp: ['KeyGate', 'IdentiCore', 'our identity provider', 'our SAML provider'],
  workspace: ['north-studio', 'bluefin-ops', 'atlas-marketing', 'pinecrest-eng', 'harbor-design'],
  row: ['12', '47', '118', '203', '391'],
  hours: ['3', '5', '12', '24', '48'],
  useCase: [
    'sprint planning',
    'client projects',
    'content calendars',
    'hiring pipelines',
    'event planning',
    'bug tracking',
    'onboarding checklists',
  ],
  email: ['user@example.com', 'admin@example.com', 'billing@example.com', 'it@example.org'],
  project: [
    'Website relaunch',
    'Q3 roadmap',
    'Onboarding',
    'Client A',
    'Marketing calendar',
    'Hiring',
  ],
};

export type Tone = 'polite' | 'neutral' | 'casual' | 'frustrated' | 'terse';

export const GREETINGS: Record<Tone, readonly string[]> = {
  polite: ['Hi,', 'Hello,', 'Hi there,', 'Hi team,', 'Good morning,', 'Hello support,'],
  neutral: ['Hi.', 'Hello.', ''],
  casual: ['hey', 'hey there', 'hi!', 'hiya', ''],
  frustrated: ['', 'Hi.', 'Hello again.', ''],
  terse: [''],
};

export const FRUSTRATION: readonly string[] = [
  "This is the third time I'm contacting you about this.",
  'Honestly getting really frustrated here.',
  'This is blocking my whole team.',
  'Not happy right now.',
  'I need this fixed today please.',
  'We pay for this and it keeps happening.',
];

export const CLOSERS: Record<Tone, readonly string[]> = {
  polite: [
    'Thanks!',
    'Thank you in advance.',
    'Any help appreciated.',
    'Thanks for your help.',
    'Let me know if you need more info.',
    'Appreciate it!',
  ],
  neutral: ['Thanks.', '', 'Please advise.'],
  casual: ['thx', 'thanks!', 'cheers', ':)', ''],
  frustrated: [
    'Please fix this asap.',
    'I expect a quick answer.',
    'Please escalate.',
    'Seriously, please help.',
  ],
  terse: ['', '', 'Thanks.'],
};

export const EMAIL_SIGNOFFS: readonly string[] = ['Best,', 'Thanks,', 'Regards,', 'Kind regards,'];
export const EMAIL_SIGNERS: readonly string[] = [
  'Ops team',
  'Finance',
  'IT admin',
  'Project lead',
  'Office manager',
  'Marketing team',
  'Engineering manager',
];
/** Invented first names, used rarely. */
export const RARE_NAMES: readonly string[] = ['Maren', 'Tobin', 'Ilsa', 'Corvin', 'Juno'];

/** Background sentences that mention other topics' vocabulary on purpose. */
export const CONTEXT: readonly string[] = [
  "We're on the {paidPlan} plan with about {seats} seats.",
  'We use {product} mostly for {useCase}.',
  "I'm the admin of our workspace ({workspace}).",
  'Most of our team uses the mobile app day to day.',
  'We log in through SSO with {idp}.',
  'We connected {chatApp} and {calApp} a while ago.',
  'Our developer wrote a few scripts against the API last year.',
  'We moved over from {otherTool} a few months ago.',
  'Finance gets the invoices, I just manage the projects.',
  'We just renewed our annual subscription.',
  'Not sure if this is the right place to ask.',
  "I'm not very technical, sorry.",
  'Our workspace is {workspace}.',
  'We have about {seats} people in the workspace, some of them guests.',
  'We get a lot of email notifications already so I might have missed something.',
  'We exported a backup last month just in case.',
];

export const ASIDE_INTROS: readonly string[] = [
  'Also, unrelated:',
  'Separate question -',
  'Oh and one more thing:',
  'PS:',
  'Also,',
];

export const VAGUE_OPENERS: readonly string[] = [
  'Hi, I need some help with my account.',
  'hello?',
  'Quick question',
  'Hi, are you able to help with something?',
  'Hi, something is wrong with our workspace.',
  'hey, got a minute?',
  'I have a problem.',
  "Hi, I'm an admin and need help with our subscription/workspace.",
];

export const VAGUE_AGENT: readonly string[] = [
  'Of course! What can I help you with today?',
  "Hi! Sure - what's going on?",
  'Hello! Happy to help, what do you need?',
  'Hi, thanks for reaching out. How can I help?',
];

/** A generic first question of the agent, with answers that fit it. */
export interface AgentQuestion {
  readonly ask: string;
  readonly answers: readonly string[];
  /** Only makes sense when something is broken. */
  readonly problemOnly?: boolean;
}

export const AGENT_FIRST: readonly AgentQuestion[] = [
  {
    ask: 'Thanks for reaching out! Could you tell me which workspace this is about?',
    answers: ['Workspace is {workspace}.', "It's {workspace}, on the {paidPlan} plan."],
  },
  {
    ask: 'Sorry for the trouble. Can you send a screenshot of what you see?',
    answers: ['Screenshot attached.', 'Sent one, it just shows the same message.'],
  },
  {
    ask: 'Thanks for the details. Does this happen for everyone on your team or just you?',
    answers: [
      'Just me as far as I can tell.',
      'Everyone on the team, it started {when}.',
      'At least {n} of us.',
    ],
    problemOnly: true,
  },
  {
    ask: 'Happy to help with this. Which plan is your workspace on?',
    answers: ["We're on {paidPlan}.", '{plan}, I think. Workspace is {workspace}.'],
  },
  {
    ask: "Thanks for getting in touch. I'm looking into it now - could you confirm the email address on the account?",
    answers: ["Sure, it's {email}.", '{email}'],
  },
  {
    ask: 'Sorry to hear that! Could you try once more in a private browser window and let me know what happens?',
    answers: ['Tried that already, same result.', 'Same thing in a private window.'],
    problemOnly: true,
  },
];

/** Second agent turns for requests, where nothing is broken. */
export const REQUEST_RESOLUTION: readonly string[] = [
  "Understood. I'll follow up by email once I have an update.",
  "Thanks, I've noted this on your account and passed it to the right team.",
  'Got it, thanks. I have opened an internal ticket for this and added your workspace to it.',
];

export const AGENT_RESOLUTION: readonly string[] = [
  "Thanks, I've passed this to our engineering team and will update you here as soon as I hear back.",
  'That should be sorted now - could you check again on your side?',
  "I've made the change on our end. Let me know if anything still looks off.",
  "Got it, thanks. I've opened an internal ticket for this and added your workspace to it.",
  "Understood. I'll follow up by email once I have an update.",
];

/** Closings that fit any request; the others assume something was broken. */
export const NEUTRAL_CLOSINGS: readonly string[] = [
  'Perfect, thanks!',
  'ok thanks',
  'Thanks, appreciate the quick reply.',
  'ok, waiting for your update',
  'Thank you!!',
  'Great, thanks for sorting it out.',
];

/** Closings after something was supposed to be fixed. */
export const FIX_CLOSINGS: readonly string[] = [
  'Great, that fixed it.',
  'That works for now, thanks.',
  'Still not working unfortunately.',
  'Hm, same problem after trying that.',
];

/** A last exchange: the agent's line and what the customer answers. */
export const WRAP_UP = {
  resolved: [
    'Glad I could help! Anything else I can do for you?',
    "You're welcome - have a great day!",
  ],
  resolvedReply: ["No, that's all, thanks.", 'nope, all good', "That's it, thanks!"],
  unresolved: [
    "Sorry about that. I've escalated it to our engineers and will keep you posted here.",
    "Thanks for testing. I've added your details to the ticket and will update you as soon as I know more.",
  ],
  unresolvedReply: ['ok, thanks', "Please do, we're waiting on this.", "Thanks, hope it's soon."],
} as const;
